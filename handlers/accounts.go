package handlers

import (
	"net/http"
	"net/url"

	"github.com/moneykit-mock/moneykit-mock/fixtures"
	"github.com/moneykit-mock/moneykit-mock/scenarios"
)

// MsgAccountNotFound is the message of a 404 for an account the link does
// not have. MoneyKit documents no code of its own for it; the SDKs map a 404
// of this route to the link-not-found model, so the code is link_error.not_found.
const MsgAccountNotFound = "Account not found on this link."

// handleAccounts handles "GET /links/{id}/accounts": the link's accounts
// without their owners (identity's accounts, in the same order), and the
// link, filtered by account_ids as identity is.
func (s *Server) handleAccounts(w http.ResponseWriter, r *http.Request, ri *reqInfo) error {
	lr, filter, err := s.filteredLink(r, ri)
	if err != nil {
		return err
	}
	data := s.data(ri, lr)
	out := fixtures.Accounts{Accounts: []fixtures.AccountResponse{}, Link: &data.Link}
	for i := range data.Accounts {
		if filter == nil || filter[data.Accounts[i].AccountID] {
			out.Accounts = append(out.Accounts, data.Accounts[i].Response())
		}
	}
	return s.writeLinkValue(w, ri, http.StatusOK, out)
}

// handleAccount handles "GET /links/{id}/accounts/{account_id}": one
// account without its owners, and the link. An account the link does not
// have is a 404 link_error.not_found.
func (s *Server) handleAccount(w http.ResponseWriter, r *http.Request, ri *reqInfo) error {
	id, err := linkID(ri)
	if err != nil {
		return err
	}
	accountID, err := url.PathUnescape(ri.vars["account_id"])
	if err != nil {
		return accountNotFound()
	}
	lr, err := s.enterLink(r, ri, id)
	if err != nil {
		return err
	}
	data := s.data(ri, lr)
	for i := range data.Accounts {
		if data.Accounts[i].AccountID == accountID {
			return s.writeLinkValue(w, ri, http.StatusOK, fixtures.AccountAnswer{Account: data.Accounts[i].Response(), Link: &data.Link})
		}
	}
	return accountNotFound()
}

// handleAccountNumbers handles "GET /links/{id}/accounts/numbers": every
// account with its numbers {ach, eft, bacs, international}, generated from
// the seed where the account's country makes them plausible (ACH routing
// numbers pass the ABA checksum and account numbers end in the mask; IBANs
// pass mod-97), and the link. It takes no account_ids, as MoneyKit's does
// not. Numbers given in a link session's custom_sandbox_data are kept.
func (s *Server) handleAccountNumbers(w http.ResponseWriter, r *http.Request, ri *reqInfo) error {
	lr, err := s.link(r, ri)
	if err != nil {
		return err
	}
	data := s.data(ri, lr)
	out := fixtures.NumbersResponse(s.cfg.Seed, data)
	if p := lr.rt.Persona; p != nil {
		for i := range out.Accounts {
			if i < len(p.Accounts) && p.Accounts[i].AccountNumber != "" {
				pa := p.Accounts[i]
				out.Accounts[i].Numbers.ACH = []fixtures.ACHNumber{{AccountNumber: pa.AccountNumber, RoutingNumber: pa.RoutingNumber}}
			}
		}
	}
	return s.writeLinkValue(w, ri, http.StatusOK, out)
}

// MsgNoTransactions is the message of every transactions route: the mock
// does not simulate transactions yet.
const MsgNoTransactions = "Transactions are not simulated by this mock: no route under /links/{id}/transactions exists"

// handleTransactions handles "/links/{id}/transactions" and everything under
// it, with any method: a 404 api_error.request.not_found saying why, so a
// client sees a clear MoneyKit envelope rather than a generic one.
func (s *Server) handleTransactions(w http.ResponseWriter, r *http.Request, ri *reqInfo) error {
	ri.linkID = clip(ri.linkVar, 100)
	return &APIError{Status: http.StatusNotFound, Code: CodeRouteNotFound, Message: MsgNoTransactions}
}

// accountNotFound is the 404 of an account the link does not have.
func accountNotFound() *APIError {
	ae := kindError(scenarios.NotFound)
	ae.Message = MsgAccountNotFound
	return ae
}
