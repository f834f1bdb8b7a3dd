package apicheck

// LinkSession checks a POST /link-session 201 body
// (CreateLinkSessionResponse): exactly {link_session_token: non-empty
// string}, the same in every generation.
func LinkSession(body []byte) []string {
	var c checker
	v, ok := c.decode(body)
	if !ok || !c.is("", v, kObject) {
		return c.problems
	}
	m := v.(map[string]any)
	c.fields("", m, []string{"link_session_token"}, nil)
	if t, ok := m["link_session_token"]; ok {
		c.nonEmptyString("link_session_token", t)
	}
	return c.problems
}

// ExchangeToken checks a POST /link-session/exchange-token 201 body
// (ExchangeTokenResponse): {link_id, link: LinkCommon}, where link_id (kept
// for older clients, deprecated in favour of link.link_id) and link.link_id
// are both linkID. It checks the newest generation's enums;
// ExchangeTokenFor checks one generation.
func ExchangeToken(body []byte, linkID string) []string {
	return ExchangeTokenFor(current, body, linkID)
}

// ExchangeTokenFor is ExchangeToken with the enums and required keys of
// generation g.
func ExchangeTokenFor(g Generation, body []byte, linkID string) []string {
	c := checker{g: &g}
	v, ok := c.decode(body)
	if !ok || !c.is("", v, kObject) {
		return c.problems
	}
	m := v.(map[string]any)
	c.fields("", m, []string{"link_id", "link"}, nil)
	if v, ok := m["link_id"]; ok {
		if id, ok := c.nonEmptyString("link_id", v); ok && id != linkID {
			c.addf("link_id", "got %q, want %q", id, linkID)
		}
	}
	if v, ok := m["link"]; ok && c.is("link", v, kObject) {
		c.link("link", v.(map[string]any), linkID, false)
	}
	return c.problems
}
