package apicheck

import "testing"

func TestLinkSession(t *testing.T) {
	checkProblems(t, LinkSession([]byte(`{"link_session_token":"lst_abc"}`)), nil)
	checkProblems(t, LinkSession([]byte(`{"link_session_token":"","link_id":"x"}`)), []string{
		"link_id: unknown key",
		"link_session_token: must not be empty",
	})
	checkProblems(t, LinkSession([]byte(`{}`)), []string{"link_session_token: missing required key"})
}

func TestExchangeToken(t *testing.T) {
	doc := decodeJSON(t, readTestdata(t, "good_identity.json")).(map[string]any)
	body := encodeJSON(t, map[string]any{"link_id": goodLinkID, "link": doc["link"]})
	checkProblems(t, ExchangeToken(body, goodLinkID), nil)
	checkProblems(t, AllGenerations(func(g Generation) []string { return ExchangeTokenFor(g, body, goodLinkID) }), nil)

	body = encodeJSON(t, map[string]any{"link_id": "mk_other", "link": doc["link"]})
	checkProblems(t, ExchangeToken(body, goodLinkID), []string{`link_id: got "mk_other", want "` + goodLinkID + `"`})
	checkProblems(t, ExchangeToken([]byte(`{"link":{}}`), goodLinkID)[:2], []string{
		"link_id: missing required key",
		"link.link_id: missing required key",
	})
}
