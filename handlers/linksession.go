package handlers

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"

	"github.com/moneykit-mock/moneykit-mock/fixtures"
	"github.com/moneykit-mock/moneykit-mock/state"
)

// createLinkSessionRequest is CreateLinkSessionRequest. The fields the mock
// does not act on are still decoded, so that a client sending them is not
// refused, and an unknown key is a 400 rather than silently ignored.
type createLinkSessionRequest struct {
	CustomerUser *struct {
		ID    *string `json:"id"`
		Email *struct {
			Address            *string `json:"address"`
			CustomerVerifiedAt *string `json:"customer_verified_at"`
		} `json:"email"`
		Phone *struct {
			Number             *string `json:"number"`
			Country            *string `json:"country"`
			CustomerVerifiedAt *string `json:"customer_verified_at"`
		} `json:"phone"`
	} `json:"customer_user"`
	RedirectURI     *string         `json:"redirect_uri"`
	Settings        json.RawMessage `json:"settings"`
	ExistingLinkID  *string         `json:"existing_link_id"`
	InstitutionID   *string         `json:"institution_id"`
	Webhook         json.RawMessage `json:"webhook"`
	LinkTags        json.RawMessage `json:"link_tags"`
	ConnectFeatures json.RawMessage `json:"connect_features"`
	// MoneylinkFeatures is what the Stainless SDKs call connect_features
	// (bug_reporter, enable_money_id); accepted, like it, and not used.
	MoneylinkFeatures json.RawMessage `json:"moneylink_features"`
	CustomSandboxData *struct {
		Accounts []struct {
			AccountType   string `json:"account_type"`
			Name          string `json:"name"`
			AccountNumber string `json:"account_number"`
			RoutingNumber string `json:"routing_number"`
		} `json:"accounts"`
		Owners []struct {
			Names        []string           `json:"names"`
			Addresses    []fixtures.Address `json:"addresses"`
			PhoneNumbers []fixtures.Phone   `json:"phone_numbers"`
			Emails       []fixtures.Email   `json:"emails"`
		} `json:"owners"`
	} `json:"custom_sandbox_data"`
}

var (
	accountTypeRE = regexp.MustCompile(`^(unknown|(depository|investment|liability|other)\.[a-z0-9_]+)$`)
	digitsRE      = regexp.MustCompile(`^[0-9]{4,17}$`)
)

// handleCreateLinkSession handles "POST /link-session": it validates the
// request as MoneyKit does (customer_user.id of 4 to 150 characters and a
// redirect_uri without a query string are required) and answers 201
// {link_session_token}. There is no Connect widget offline: the token's
// exchangeable twin, which the widget would hand the app, is the same string
// with mk_ls_ replaced by mk_ex_ (POST /link-session/exchange-token takes
// either, and GET /_mock/links lists sessions with both). The webhook,
// link_tags and custom_sandbox_data (accounts and owners, as a persona)
// shape the link the exchange creates.
func (s *Server) handleCreateLinkSession(w http.ResponseWriter, r *http.Request, ri *reqInfo) error {
	var req createLinkSessionRequest
	if err := decodeStrict(w, r, &req); err != nil {
		return err
	}
	var problems []ValidationError
	bad := func(msg, typ string, loc ...any) {
		problems = append(problems, ValidationError{Location: append([]any{"body"}, loc...), Message: msg, Type: typ})
	}
	switch cu := req.CustomerUser; {
	case cu == nil:
		bad("Field required", "missing", "customer_user")
	case cu.ID == nil:
		bad("Field required", "missing", "customer_user", "id")
	case len(*cu.ID) < 4 || len(*cu.ID) > 150:
		bad("String should have 4 to 150 characters", "string_too_short", "customer_user", "id")
	}
	if cu := req.CustomerUser; cu != nil && cu.Email != nil && (cu.Email.Address == nil || len(*cu.Email.Address) < 4 || len(*cu.Email.Address) > 254) {
		bad("email.address should have 4 to 254 characters", "string_too_short", "customer_user", "email", "address")
	}
	if cu := req.CustomerUser; cu != nil && cu.Phone != nil && (cu.Phone.Number == nil || len(*cu.Phone.Number) < 4 || len(*cu.Phone.Number) > 30) {
		bad("phone.number should have 4 to 30 characters", "string_too_short", "customer_user", "phone", "number")
	}
	switch u := req.RedirectURI; {
	case u == nil:
		bad("Field required", "missing", "redirect_uri")
	case len(*u) < 1 || len(*u) > maxURLLength:
		bad("String should have 1 to 65536 characters", "string_too_short", "redirect_uri")
	case strings.Contains(*u, "?"):
		bad("redirect_uri must not have a query string", "value_error", "redirect_uri")
	}
	webhook, _, p := s.readWebhook(req.Webhook, "body", "webhook")
	problems = append(problems, p...)
	tags, p := readStrings(req.LinkTags, "body", "link_tags")
	problems = append(problems, p...)
	var persona *fixtures.Persona
	if c := req.CustomSandboxData; c != nil {
		persona = &fixtures.Persona{}
		for i, a := range c.Accounts {
			if !accountTypeRE.MatchString(a.AccountType) {
				bad("account_type must be unknown or depository., investment., liability. or other. and a subtype", "value_error", "custom_sandbox_data", "accounts", i, "account_type")
			}
			if a.Name == "" {
				bad("Field required", "missing", "custom_sandbox_data", "accounts", i, "name")
			}
			if !digitsRE.MatchString(a.AccountNumber) {
				bad("account_number must be 4 to 17 digits", "value_error", "custom_sandbox_data", "accounts", i, "account_number")
			}
			if a.RoutingNumber != "" && !regexp.MustCompile(`^[0-9]{9}$`).MatchString(a.RoutingNumber) {
				bad("routing_number must be 9 digits", "value_error", "custom_sandbox_data", "accounts", i, "routing_number")
			}
			pa := fixtures.PersonaAccount{AccountType: a.AccountType, Name: a.Name, AccountNumber: a.AccountNumber, RoutingNumber: a.RoutingNumber}
			if len(a.AccountNumber) >= 4 {
				pa.AccountMask = a.AccountNumber[len(a.AccountNumber)-4:]
			}
			persona.Accounts = append(persona.Accounts, pa)
		}
		for i, o := range c.Owners {
			if len(o.Names) == 0 || o.Names[0] == "" {
				bad("an owner needs at least one name", "value_error", "custom_sandbox_data", "owners", i, "names")
			}
			persona.Owners = append(persona.Owners, fixtures.PersonaOwner{Names: o.Names, Addresses: o.Addresses, PhoneNumbers: o.PhoneNumbers, Emails: o.Emails})
		}
		if len(persona.Accounts) == 0 {
			persona.Accounts = nil // none given: generate them
		}
	}
	if len(problems) > 0 {
		return &APIError{Status: http.StatusBadRequest, Code: CodeValidationFailed, Message: MsgValidation, ValidationErrors: problems}
	}
	sess, err := s.sessionState(ri)
	if err != nil {
		return err
	}
	n := sess.NextMinted()
	token := linkSessionToken(s.cfg.Seed, sess.Name(), n)
	ls := state.LinkSession{Token: "mk_ls_" + token, Exchangeable: "mk_ex_" + token, Created: s.clock.Now(),
		Webhook: webhook, LinkTags: tags, Persona: persona}
	if req.ExistingLinkID != nil {
		ls.ExistingLinkID = *req.ExistingLinkID
	}
	sess.PutLinkSession(ls)
	return s.writeValue(w, http.StatusCreated, struct {
		LinkSessionToken string `json:"link_session_token"`
	}{ls.Token})
}

// linkSessionToken is the random-looking part of the n-th link session's
// tokens in a session: the same for the same seed, session and order.
func linkSessionToken(seed uint64, session string, n int) string {
	h := sha256.Sum256(fmt.Appendf(nil, "moneykit-mock link session %d %q %d", seed, session, n))
	return fmt.Sprintf("%x", h[:16])
}

// handleExchangeToken handles "POST /link-session/exchange-token": it
// exchanges a link session's token, once, for a new link (or, for a
// reconnect session, the existing link, whose webhook and tags are replaced
// and which is connected again) and answers 201 {link_id, link}. An unknown
// or spent token is a 400 link_session_error.invalid_token_exchange.
func (s *Server) handleExchangeToken(w http.ResponseWriter, r *http.Request, ri *reqInfo) error {
	var req struct {
		Token *string `json:"exchangeable_token"`
	}
	if err := decodeStrict(w, r, &req); err != nil {
		return err
	}
	if req.Token == nil {
		return errValidation(http.StatusBadRequest, []any{"body", "exchangeable_token"}, "Field required", "missing")
	}
	sess, err := s.sessionState(ri)
	if err != nil {
		return err
	}
	token := strings.Replace(*req.Token, "mk_ls_", "mk_ex_", 1)
	ls, ok := sess.TakeLinkSession(token)
	if !ok {
		return &APIError{Status: http.StatusBadRequest, Code: CodeInvalidExchange, Message: MsgInvalidExchange}
	}
	id := ls.ExistingLinkID
	if id == "" {
		id = mintedLinkID(s.cfg.Seed, sess.Name(), sess.NextMinted())
	}
	ri.linkID = clip(id, 100)
	now := s.clock.Now()
	sess.UpdateRuntime(id, func(rt *fixtures.Runtime) {
		if rt.Created.IsZero() || ls.ExistingLinkID == "" {
			rt.Created = now
		}
		rt.Deleted, rt.Reset = false, false
		rt.Webhook, rt.WebhookSet = ls.Webhook, true
		tags := ls.LinkTags
		if tags == nil {
			tags = []string{}
		}
		rt.LinkTags, rt.Tags = tags, tags
		if ls.Persona != nil {
			rt.Persona = ls.Persona
		}
	})
	lr := linkRequest{id: id, sess: sess, entry: s.lookup(ri, sess, id)}
	if lr.entry != nil && (lr.entry.Error != "" || lr.entry.Fault != "") {
		lr.entry = nil // an error scenario answers the link's calls, not its creation
	}
	lr.rt, lr.hasRT = sess.Runtime(id)
	link := s.data(ri, lr).Link
	s.stateChanged(lr, &link, "")
	return s.writeValue(w, http.StatusCreated, struct {
		LinkID string         `json:"link_id"`
		Link   *fixtures.Link `json:"link"`
	}{id, &link})
}

// handleAdminLinks handles "GET /_mock/links": what the caller's session
// knows at run time: its links with their lifecycle (created, deleted,
// reset, patched webhook and tags) and the link sessions not yet exchanged,
// with both of their tokens.
func (s *Server) handleAdminLinks(w http.ResponseWriter, r *http.Request, ri *reqInfo) error {
	if ri.sessionErr != nil {
		return ri.sessionErr
	}
	type linkView struct {
		LinkID   string         `json:"link_id"`
		Created  *fixtures.Time `json:"created_at"`
		Deleted  bool           `json:"deleted"`
		Reset    bool           `json:"reset"`
		Webhook  *string        `json:"webhook,omitempty"`
		LinkTags []string       `json:"link_tags,omitempty"`
		Persona  bool           `json:"custom_sandbox_data"`
	}
	type sessionView struct {
		Token          string        `json:"link_session_token"`
		Exchangeable   string        `json:"exchangeable_token"`
		Created        fixtures.Time `json:"created_at"`
		ExistingLinkID string        `json:"existing_link_id,omitempty"`
	}
	out := struct {
		Links        []linkView    `json:"links"`
		LinkSessions []sessionView `json:"link_sessions"`
	}{Links: []linkView{}, LinkSessions: []sessionView{}}
	if sess, ok := s.store.Peek(ri.session); ok {
		for _, l := range sess.Links() {
			v := linkView{LinkID: l.ID, Deleted: l.Runtime.Deleted, Reset: l.Runtime.Reset, Webhook: l.Runtime.Webhook,
				LinkTags: l.Runtime.LinkTags, Persona: l.Runtime.Persona != nil}
			if !l.Runtime.Created.IsZero() {
				v.Created = ptr(fixtures.Time(l.Runtime.Created))
			}
			out.Links = append(out.Links, v)
		}
		for _, ls := range sess.LinkSessions() {
			out.LinkSessions = append(out.LinkSessions, sessionView{Token: ls.Token, Exchangeable: ls.Exchangeable,
				Created: fixtures.Time(ls.Created), ExistingLinkID: ls.ExistingLinkID})
		}
	}
	return s.writeValue(w, http.StatusOK, out)
}

func ptr[T any](v T) *T { return &v }
