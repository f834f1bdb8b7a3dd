package webhooks

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"syscall"
	"time"
)

// MaxURLLength bounds a webhook URL; PATCH /links/{id} allows up to 65536
// characters, and so does the policy.
const MaxURLLength = 65536

// Policy says which webhook targets the mock may call, so that it cannot be
// used as an open proxy into a private network. It checks a URL when it is
// set (ValidateURL) and every connection when it is dialled (DialContext),
// after name resolution, so a name that resolves (or rebinds) to a private
// address is refused too. The zero Policy allows only public addresses. A
// Policy must not be changed once in use.
type Policy struct {
	// AllowPrivate allows loopback, private (RFC 1918, fc00::/7), link-local
	// and shared (100.64.0.0/10) addresses as well as public ones.
	AllowPrivate bool
	// AllowHosts are host names (exact, case-insensitive) allowed whatever
	// they resolve to.
	AllowHosts []string
	// AllowPrefixes are address ranges allowed even when private.
	AllowPrefixes []netip.Prefix
}

// NewPolicy returns the default policy for a mock listening on listenAddr
// (host:port, as given to net.Listen): when that host is a loopback address
// or "localhost", the mock is on a developer's machine and loopback and
// private targets are allowed; otherwise (":8080", "0.0.0.0:8080", a public
// address) only public addresses are, plus allow: host names, IP addresses
// and CIDR prefixes ("hooks.internal", "10.1.2.3", "10.0.0.0/8").
func NewPolicy(listenAddr string, allow []string) (*Policy, error) {
	p := &Policy{}
	host, _, err := net.SplitHostPort(listenAddr)
	if err != nil {
		host = listenAddr
	}
	if strings.EqualFold(host, "localhost") {
		p.AllowPrivate = true
	} else if a, err := netip.ParseAddr(host); err == nil && a.Unmap().IsLoopback() {
		p.AllowPrivate = true
	}
	for _, s := range allow {
		s = strings.TrimSpace(s)
		switch {
		case s == "":
		case strings.Contains(s, "/"):
			pf, err := netip.ParsePrefix(s)
			if err != nil {
				return nil, fmt.Errorf("webhook allow-list: %q is not a CIDR prefix: %w", s, err)
			}
			p.AllowPrefixes = append(p.AllowPrefixes, pf.Masked())
		default:
			if a, err := netip.ParseAddr(s); err == nil {
				a = a.Unmap()
				p.AllowPrefixes = append(p.AllowPrefixes, netip.PrefixFrom(a, a.BitLen()))
			} else {
				p.AllowHosts = append(p.AllowHosts, strings.ToLower(s))
			}
		}
	}
	return p, nil
}

// Describe says in one line what the policy allows, for the start-up log.
func (p *Policy) Describe() string {
	var b strings.Builder
	if p.AllowPrivate {
		b.WriteString("webhook targets: public, loopback and private addresses")
	} else {
		b.WriteString("webhook targets: public addresses only (loopback and private refused)")
	}
	if len(p.AllowHosts) > 0 {
		fmt.Fprintf(&b, "; allowed hosts: %s", strings.Join(p.AllowHosts, ", "))
	}
	if len(p.AllowPrefixes) > 0 {
		s := make([]string, len(p.AllowPrefixes))
		for i, pf := range p.AllowPrefixes {
			s[i] = pf.String()
		}
		fmt.Fprintf(&b, "; allowed ranges: %s", strings.Join(s, ", "))
	}
	return b.String()
}

// ValidateURL checks a webhook URL where it is set (POST /link-session,
// PATCH /links/{id}): absolute http or https, a host, no user:password, at
// most MaxURLLength characters, and, when the host is an IP address, one the
// policy allows. Host names are checked when dialled. The error reads well
// as an API error message.
func (p *Policy) ValidateURL(raw string) error {
	if raw == "" {
		return errors.New("webhook url is empty")
	}
	if len(raw) > MaxURLLength {
		return fmt.Errorf("webhook url is longer than %d characters", MaxURLLength)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("webhook url is not a valid url: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("webhook url must use http or https, not %q", u.Scheme)
	}
	if u.Opaque != "" {
		return errors.New("webhook url must be of the form scheme://host/path")
	}
	if u.User != nil {
		return errors.New("webhook url must not contain a user name or password")
	}
	host := u.Hostname()
	if host == "" {
		return errors.New("webhook url has no host")
	}
	if port := u.Port(); port != "" {
		if n, err := netip.ParseAddrPort("0.0.0.0:" + port); err != nil || n.Port() == 0 {
			return fmt.Errorf("webhook url has a bad port %q", port)
		}
	}
	if a, err := netip.ParseAddr(host); err == nil {
		if err := p.checkAddr(a); err != nil {
			return fmt.Errorf("webhook url: %w", err)
		}
	} else if strings.Contains(host, "%") {
		return errors.New("webhook url host must not have a zone")
	}
	return nil
}

// allowedHost reports whether host is on the allow-list of names.
func (p *Policy) allowedHost(host string) bool {
	return slices.Contains(p.AllowHosts, strings.ToLower(strings.TrimSuffix(host, ".")))
}

// checkAddr returns an error unless the policy allows connecting to a.
func (p *Policy) checkAddr(a netip.Addr) error {
	a = a.Unmap()
	for _, pf := range p.AllowPrefixes {
		if pf.Contains(a) {
			return nil
		}
	}
	switch {
	case !a.IsValid():
		return errors.New("target address is invalid")
	case a.IsUnspecified(), a.IsMulticast(), a == netip.AddrFrom4([4]byte{255, 255, 255, 255}):
		return fmt.Errorf("target address %s is not a unicast address", a)
	case p.AllowPrivate:
		return nil
	case a.IsLoopback():
		return fmt.Errorf("target address %s is loopback, refused by the webhook policy", a)
	case a.IsPrivate(), a.IsLinkLocalUnicast(), nonPublic(a):
		return fmt.Errorf("target address %s is not public, refused by the webhook policy", a)
	}
	return nil
}

// nonPublicPrefixes are the special ranges that netip's predicates miss.
var nonPublicPrefixes = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),      // "this network"
	netip.MustParsePrefix("100.64.0.0/10"),  // shared address space (CGNAT)
	netip.MustParsePrefix("192.0.0.0/24"),   // IETF protocol assignments
	netip.MustParsePrefix("198.18.0.0/15"),  // benchmarking
	netip.MustParsePrefix("240.0.0.0/4"),    // reserved
	netip.MustParsePrefix("64:ff9b::/96"),   // NAT64: could reach any IPv4
	netip.MustParsePrefix("64:ff9b:1::/48"), // local-use NAT64
	netip.MustParsePrefix("2002::/16"),      // 6to4: embeds an IPv4
	netip.MustParsePrefix("fec0::/10"),      // site-local (deprecated)
}

func nonPublic(a netip.Addr) bool {
	for _, pf := range nonPublicPrefixes {
		if pf.Contains(a) {
			return true
		}
	}
	return false
}

// DialContext dials like net.Dialer but refuses addresses the policy does not
// allow. A host on AllowHosts is dialled as is; any other connection is
// checked in the dialer's Control function, on the resolved address, after
// DNS, so a name that resolves to loopback is refused.
func (p *Policy) DialContext(timeout time.Duration) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		d := &net.Dialer{Timeout: timeout}
		host, _, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, err
		}
		if !p.allowedHost(host) {
			d.Control = p.control
		}
		return d.DialContext(ctx, network, addr)
	}
}

// control is the net.Dialer Control function: address is the resolved
// ip:port about to be connected.
func (p *Policy) control(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("webhook policy: cannot check address %q: %w", address, err)
	}
	return p.checkAddr(ap.Addr())
}
