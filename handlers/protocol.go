package handlers

import (
	"context"
	"errors"
	"net/http"
)

// MsgConnect is the message of a CONNECT request: the mock is an API, not a
// proxy.
const MsgConnect = "CONNECT is not supported: this is an API mock, not a proxy"

// checkProtocol answers the requests no route should see, at the entry.
//
// CONNECT gets 405 in MoneyKit's envelope: its target is an authority
// (example.com:443), not a path, so the router would answer it with a
// confusing 404 for an empty path (and mux's own ServeHTTP with a 301 to
// //example.com:443/).
//
// A request with a Transfer-Encoding gets Connection: close, so the
// connection is closed after the answer. RFC 9112 §6.1 requires that when a
// request has both Transfer-Encoding and Content-Length (a request smuggling
// attempt, or a broken proxy), but net/http deletes Content-Length from the
// header of a chunked request before any handler sees it, so the two cases
// cannot be told apart here; closing after every chunked request covers
// both. The request itself is answered as usual (net/http reads it by its
// Transfer-Encoding alone, as the RFC allows), and the bytes after its body are
// never read as another request. SDKs send a Content-Length, so this costs
// them nothing.
func checkProtocol(w http.ResponseWriter, r *http.Request) error {
	if len(r.TransferEncoding) > 0 || r.Method == http.MethodConnect {
		w.Header()["Connection"] = connectionClose
	}
	if r.Method == http.MethodConnect {
		w.Header().Set("Allow", "GET, POST, PUT, DELETE, OPTIONS")
		return &APIError{Status: http.StatusMethodNotAllowed, Code: CodeMethodNotAllowed, Message: MsgConnect}
	}
	return nil
}

var connectionClose = []string{"close"}

// clientGone reports whether err is the request's context ending (a
// scenario delay cut short because the client left), as opposed to an
// answer the client should get. Only the former is logged as 499: a handler
// that failed for another reason, such as a body that ended before its
// Content-Length, answers with its error even when net/http has cancelled
// the context, which it does as soon as the client shuts its write side.
func clientGone(r *http.Request, err error) bool {
	return r.Context().Err() != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded))
}

// abandon closes the connection of a request whose client is gone without
// writing an answer. Returning without writing would make net/http send
// "200 OK" with an empty body, which a client that only shut its write side
// would read as a success.
func abandon(w http.ResponseWriter) {
	if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
		conn.Close()
	}
}
