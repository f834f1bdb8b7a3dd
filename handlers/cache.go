package handlers

import (
	"bytes"
	"hash/maphash"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/moneykit-mock/moneykit-mock/fixtures"
)

// cache keeps generated response bodies, so that the hot path is a lookup and
// not a generation. It is an LRU bounded in bytes, not entries: an endless
// stream of new link IDs evicts old bodies instead of growing memory. It is
// split in shards so that concurrent requests rarely wait on one lock.
//
// Entries are per link ID (a string key takes the map's fast path): the
// bodies made for that link, plain or shaped by a scenario, chained. One
// identity body serves both link routes (the link object is a slice of it),
// and its gzip forms are made on the first request that asks for them and
// kept. The LRU list runs through the entries themselves, so that a link
// costs the map slot, one bodies value and its bytes: the cache is most of
// the process's memory (see config.Config.MemoryMB).
type cache struct {
	seed    maphash.Seed
	shards  [cacheShards]cacheShard
	avatars avatars
}

const cacheShards = 16

// bodiesOverhead is what one bodies value costs beyond its bytes, as the
// heap counts it: the value itself, its map slot (with the map's slack), its
// two Content-Length strings, and on average half a size class of the body's
// allocation. Measured with runtime.MemStats over 10,000 links.
const bodiesOverhead = 400

type cacheShard struct {
	mu    sync.Mutex
	items map[string]*bodies
	// lru is the sentinel of a ring through the first bodies of each link:
	// lru.after is the most recently used, lru.before the least.
	lru   bodies
	bytes int64
	max   int64
}

// part is which part of a link's data a body holds.
type part byte

const (
	identityPart part = iota // the whole identity answer
	linkPart                 // the link object alone
)

// bodies are the answers of one link under one shaping (fp, the fingerprint
// of the scenario entry that shapes it, 0 for none), made once and shared
// read-only by every answer that sends them.
//
// They are kept compact, because they are most of the process's memory:
// the identity answer is a list of segments of the body's own bytes, where
// an account whose owners are those of an earlier account refers to that
// account's owners (a household's accounts mostly have the same people),
// and the institution's avatar is one shared copy per distinct avatar. The
// link object is the segments from linkSeg on, less the final "}". That
// keeps 10,000 links in about three quarters of the bytes of their bodies.
type bodies struct {
	link string
	fp   uint64
	// own holds the body's bytes, but for the repeats; avatar is the shared
	// copy of the avatar string (nil when the body holds its own).
	own, avatar []byte
	segs        []seg
	linkSeg     int
	// contentLength holds each part's Content-Length header value.
	contentLength [2][]string
	cl            [2]string
	// gzip holds each part's gzip form once a client asked for it.
	gzip [2]atomic.Pointer[encoded]

	// Guarded by the shard's lock: the link's other shapings, the LRU
	// ring (first of a link only), and the bytes of the link's chain.
	next          *bodies
	after, before *bodies
	size          int64
}

// seg is a run of a body: n bytes at off in own, or in avatar when off has
// segAvatar set.
type seg struct{ off, n uint32 }

const segAvatar = 1 << 31

// encoded is a compressed body with its Content-Length header value.
type encoded struct {
	b             []byte
	contentLength []string
}

// newBodies makes the compact bodies of one identity answer, raw, whose link
// object starts at linkAt and whose repeating parts sp names; intern gives
// the shared copy of an avatar, or nil to keep it in the body.
func newBodies(link string, fp uint64, raw []byte, linkAt int, sp *fixtures.Spans, intern func([]byte) []byte) *bodies {
	b := &bodies{link: link, fp: fp}
	b.cl[identityPart] = strconv.Itoa(len(raw))
	b.cl[linkPart] = strconv.Itoa(len(raw) - 1 - linkAt)
	b.contentLength[identityPart] = b.cl[identityPart : identityPart+1 : identityPart+1]
	b.contentLength[linkPart] = b.cl[linkPart : linkPart+1 : linkPart+1]

	own := make([]byte, 0, len(raw))
	var segs []seg
	pos := 0
	// copyTo copies raw[pos:end] into own. The link object and the final
	// "}" start segments of their own, so that both parts are seg ranges.
	copyTo := func(end int) {
		for pos < end {
			stop, split := end, pos == linkAt || pos == len(raw)-1
			for _, f := range [2]int{linkAt, len(raw) - 1} {
				if pos < f && f < stop {
					stop = f
				}
			}
			if pos == linkAt {
				b.linkSeg = len(segs)
			}
			if n := len(segs); n > 0 && !split && segs[n-1].off&segAvatar == 0 && int(segs[n-1].off+segs[n-1].n) == len(own) {
				segs[n-1].n += uint32(stop - pos)
			} else {
				segs = append(segs, seg{uint32(len(own)), uint32(stop - pos)})
			}
			own = append(own, raw[pos:stop]...)
			pos = stop
		}
	}
	var firsts []seg // the owners arrays kept so far, in own
	if sp != nil {
	owners:
		for _, o := range sp.Owners {
			copyTo(o[0])
			for _, f := range firsts {
				if bytes.Equal(own[f.off:f.off+f.n], raw[o[0]:o[1]]) {
					segs = append(segs, f)
					pos = o[1]
					continue owners
				}
			}
			firsts = append(firsts, seg{uint32(len(own)), uint32(o[1] - o[0])})
			copyTo(o[1])
		}
		if a := sp.Avatar; a[1] > a[0] {
			copyTo(a[0])
			if b.avatar = intern(raw[a[0]:a[1]]); b.avatar != nil {
				segs = append(segs, seg{segAvatar, uint32(a[1] - a[0])})
				pos = a[1]
			}
		}
	}
	copyTo(len(raw))
	b.own = bytes.Clone(own)
	b.segs = slices.Clone(segs)
	return b
}

// appendPart appends part p to dst.
func (b *bodies) appendPart(dst []byte, p part) []byte {
	segs := b.segs
	if p == linkPart {
		segs = segs[b.linkSeg : len(segs)-1]
	}
	for _, sg := range segs {
		if sg.off&segAvatar != 0 {
			dst = append(dst, b.avatar[sg.off&^segAvatar:][:sg.n]...)
		} else {
			dst = append(dst, b.own[sg.off:][:sg.n]...)
		}
	}
	return dst
}

func (b *bodies) cost() int64 {
	return int64(len(b.link) + len(b.own) + len(b.segs)*8 + bodiesOverhead)
}

// avatars interns the avatar strings of bodies, up to maxAvatarBytes: past
// that (many distinct avatars given by scenarios), bodies keep their own.
type avatars struct {
	mu    sync.Mutex
	m     map[string][]byte
	bytes int
}

const maxAvatarBytes = 1 << 20

func (a *avatars) intern(v []byte) []byte {
	a.mu.Lock()
	defer a.mu.Unlock()
	if s, ok := a.m[string(v)]; ok {
		return s
	}
	if a.bytes+len(v) > maxAvatarBytes {
		return nil
	}
	if a.m == nil {
		a.m = map[string][]byte{}
	}
	s := bytes.Clone(v)
	a.m[string(s)] = s
	a.bytes += len(s)
	return s
}

func newCache(maxBytes int64) *cache {
	c := &cache{seed: maphash.MakeSeed()}
	for i := range c.shards {
		s := &c.shards[i]
		s.items = map[string]*bodies{}
		s.lru.after, s.lru.before = &s.lru, &s.lru
		s.max = maxBytes / cacheShards
	}
	return c
}

func (c *cache) shard(link string) *cacheShard {
	return &c.shards[maphash.String(c.seed, link)%cacheShards]
}

// unlink takes e out of the ring; pushFront puts it first.
func (s *cacheShard) unlink(e *bodies) {
	e.before.after, e.after.before = e.after, e.before
}

func (s *cacheShard) pushFront(e *bodies) {
	e.before, e.after = &s.lru, s.lru.after
	s.lru.after.before = e
	s.lru.after = e
}

// get returns the bodies cached for a link under shaping fp, or nil. They
// are shared: never modify them.
func (c *cache) get(link string, fp uint64) *bodies {
	s := c.shard(link)
	s.mu.Lock()
	defer s.mu.Unlock()
	first := s.items[link]
	for b := first; b != nil; b = b.next {
		if b.fp == fp {
			if s.lru.after != first {
				s.unlink(first)
				s.pushFront(first)
			}
			return b
		}
	}
	return nil
}

// put caches b for its link, evicting the least recently used links to stay
// within the byte budget. Bodies larger than a whole shard are not cached.
func (c *cache) put(b *bodies) {
	s := c.shard(b.link)
	s.mu.Lock()
	defer s.mu.Unlock()
	add := b.cost()
	if add > s.max {
		return
	}
	first := s.items[b.link]
	if first == nil {
		b.size = add
		s.items[b.link] = b
		s.pushFront(b)
		s.bytes += add
		s.evict()
		return
	}
	// Another shaping of a cached link: chain it after the first, replacing
	// one of the same shaping (a racing request made the same bytes).
	for p := first; p.next != nil; p = p.next {
		if p.next.fp == b.fp {
			old := p.next
			p.next = old.next
			n := old.cost() + old.gzipSize()
			first.size -= n
			s.bytes -= n
			break
		}
	}
	if first.fp == b.fp {
		return // keep the first: it holds the link's place in the ring
	}
	b.next, first.next = first.next, b
	first.size += add
	s.bytes += add
	s.unlink(first)
	s.pushFront(first)
	s.evict()
}

// grew counts n more bytes for b, a link's bodies that got a gzip form,
// when they are still cached.
func (c *cache) grew(b *bodies, n int64) {
	s := c.shard(b.link)
	s.mu.Lock()
	defer s.mu.Unlock()
	first := s.items[b.link]
	for p := first; p != nil; p = p.next {
		if p == b {
			first.size += n
			s.bytes += n
			s.evict()
			return
		}
	}
}

func (s *cacheShard) evict() {
	for s.bytes > s.max && s.lru.before != &s.lru {
		old := s.lru.before
		s.unlink(old)
		delete(s.items, old.link)
		s.bytes -= old.size
	}
}

func (b *bodies) gzipSize() (n int64) {
	for i := range b.gzip {
		if g := b.gzip[i].Load(); g != nil {
			n += int64(len(g.b)) + gzipOverhead
		}
	}
	return n
}

// gzipOverhead is what a gzip form costs beyond its bytes.
const gzipOverhead = 64

// len returns how many bodies are cached.
func (c *cache) len() (n int) {
	for i := range c.shards {
		s := &c.shards[i]
		s.mu.Lock()
		for _, b := range s.items {
			for ; b != nil; b = b.next {
				n++
			}
		}
		s.mu.Unlock()
	}
	return n
}
