package handlers

import (
	"bytes"
	"compress/gzip"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// acceptsGzip reports whether an Accept-Encoding header value lets the
// answer be gzip (RFC 9110 §12.5.3): gzip (or x-gzip, or * when gzip is not
// named) with a q-value above 0, and not below an explicit identity's.
// "gzip;q=0" refuses it; no header means identity only.
func acceptsGzip(v string) bool {
	if v == "" {
		return false
	}
	qGzip, qStar, qIdentity := -1.0, -1.0, -1.0
	for item := range strings.SplitSeq(v, ",") {
		coding, params, _ := strings.Cut(item, ";")
		q := 1.0
		for p := range strings.SplitSeq(params, ";") {
			name, val, ok := strings.Cut(strings.TrimSpace(p), "=")
			if ok && strings.EqualFold(strings.TrimSpace(name), "q") {
				f, err := strconv.ParseFloat(strings.TrimSpace(val), 64)
				if err != nil || f < 0 || f > 1 {
					f = 0 // a malformed weight: take the coding as refused
				}
				q = f
			}
		}
		switch coding = strings.TrimSpace(coding); {
		case strings.EqualFold(coding, "gzip"), strings.EqualFold(coding, "x-gzip"):
			qGzip = max(qGzip, q)
		case coding == "*":
			qStar = q
		case strings.EqualFold(coding, "identity"):
			qIdentity = q
		}
	}
	if qGzip < 0 {
		qGzip = qStar
	}
	return qGzip > 0 && qGzip >= qIdentity
}

// Shared read-only header values, so that setting them allocates nothing.
var (
	contentEncodingGzip = []string{"gzip"}
	varyAcceptEncoding  = []string{"Accept-Encoding"}
)

// varyOnEncoding adds Accept-Encoding to the Vary header, keeping what CORS
// may have put there.
func varyOnEncoding(h http.Header) {
	v, ok := h["Vary"]
	if !ok {
		h["Vary"] = varyAcceptEncoding
		return
	}
	for _, x := range v {
		if strings.Contains(x, "Accept-Encoding") {
			return
		}
	}
	h["Vary"] = []string{strings.Join(append(v[:len(v):len(v)], "Accept-Encoding"), ", ")}
}

var gzipWriters = sync.Pool{New: func() any {
	w, _ := gzip.NewWriterLevel(nil, gzip.BestSpeed)
	return w
}}

// gzipBytes compresses b. Cached bodies are compressed by it once (see
// writeBody); answers made for one request only, once per request.
func gzipBytes(b []byte) []byte {
	var buf bytes.Buffer
	buf.Grow(len(b)/3 + 64)
	zw := gzipWriters.Get().(*gzip.Writer)
	zw.Reset(&buf)
	zw.Write(b)
	zw.Close()
	zw.Reset(nil)
	gzipWriters.Put(zw)
	return bytes.Clone(buf.Bytes())
}

// writeEncoded writes a JSON body with status, gzip when the request asked
// for it, and no body to a HEAD request (net/http would drop it anyway, but
// recorders in tests would not).
func writeEncoded(w http.ResponseWriter, ri *reqInfo, status int, b []byte) {
	h := w.Header()
	h["Content-Type"] = contentTypeJSON
	if ri.gzip {
		b = gzipBytes(b)
		h["Content-Encoding"] = contentEncodingGzip
	}
	h["Content-Length"] = ri.contentLength(len(b))
	w.WriteHeader(status)
	if !ri.head {
		w.Write(b)
	}
}
