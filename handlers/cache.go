package handlers

import (
	"container/list"
	"hash/maphash"
	"strconv"
	"sync"
	"sync/atomic"
)

// cache keeps generated response bodies, so that the hot path is a lookup and
// not a generation. It is an LRU bounded in bytes, not entries: an endless
// stream of new link IDs evicts old bodies instead of growing memory. It is
// split in shards so that concurrent requests rarely wait on one lock.
//
// Entries are per link ID (a string key takes the map's fast path), and hold
// the bodies made for that link, plain or shaped by a scenario. One identity
// body serves both link routes (the link object is a slice of it), and its
// gzip forms are made on the first request that asks for them and kept.
type cache struct {
	seed   maphash.Seed
	shards [cacheShards]cacheShard
}

const cacheShards = 16

// entryOverhead and bodiesOverhead approximate what an entry and each of its
// shapings cost beyond the key and body bytes (list element, map slot, the
// bodies value and its header slices).
const (
	entryOverhead  = 160
	bodiesOverhead = 160
)

type cacheShard struct {
	mu    sync.Mutex
	items map[string]*list.Element
	lru   list.List // front = most recently used
	bytes int64
	max   int64
}

// cacheEntry is one link's bodies.
type cacheEntry struct {
	link     string
	variants []*bodies
	size     int64
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
type bodies struct {
	fp uint64
	// identity is the identity answer; the link object is
	// identity[linkAt:len(identity)-1].
	identity []byte
	linkAt   int
	// contentLength holds each part's Content-Length header value.
	contentLength [2][]string
	// gzip holds each part's gzip form once a client asked for it.
	gzip [2]atomic.Pointer[encoded]
}

// encoded is a compressed body with its Content-Length header value.
type encoded struct {
	b             []byte
	contentLength []string
}

// newBodies makes the bodies of one identity answer.
func newBodies(fp uint64, identity []byte, linkAt int) *bodies {
	b := &bodies{fp: fp, identity: identity, linkAt: linkAt}
	b.contentLength[identityPart] = []string{strconv.Itoa(len(identity))}
	b.contentLength[linkPart] = []string{strconv.Itoa(len(identity) - 1 - linkAt)}
	return b
}

// plain returns part p uncompressed.
func (b *bodies) plain(p part) []byte {
	if p == linkPart {
		return b.identity[b.linkAt : len(b.identity)-1]
	}
	return b.identity
}

func (b *bodies) size() int64 { return int64(len(b.identity) + bodiesOverhead) }

func newCache(maxBytes int64) *cache {
	c := &cache{seed: maphash.MakeSeed()}
	for i := range c.shards {
		c.shards[i].items = map[string]*list.Element{}
		c.shards[i].max = maxBytes / cacheShards
	}
	return c
}

func (c *cache) shard(link string) *cacheShard {
	return &c.shards[maphash.String(c.seed, link)%cacheShards]
}

// get returns the bodies cached for a link under shaping fp, or nil. They
// are shared: never modify them.
func (c *cache) get(link string, fp uint64) *bodies {
	s := c.shard(link)
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.items[link]; ok {
		for _, v := range e.Value.(*cacheEntry).variants {
			if v.fp == fp {
				s.lru.MoveToFront(e)
				return v
			}
		}
	}
	return nil
}

// put caches b for a link, evicting the least recently used links to stay
// within the byte budget. Bodies larger than a whole shard are not cached.
func (c *cache) put(link string, b *bodies) {
	s := c.shard(link)
	s.mu.Lock()
	defer s.mu.Unlock()
	add := b.size()
	if int64(len(link)+entryOverhead)+add > s.max {
		return
	}
	e, ok := s.items[link]
	if !ok {
		e = s.lru.PushFront(&cacheEntry{link: link, size: int64(len(link) + entryOverhead)})
		s.items[link] = e
		s.bytes += e.Value.(*cacheEntry).size
	}
	ce := e.Value.(*cacheEntry)
	for i, v := range ce.variants {
		if v.fp == b.fp {
			sz := v.size() + v.gzipSize()
			ce.size -= sz
			s.bytes -= sz
			ce.variants = append(ce.variants[:i], ce.variants[i+1:]...)
			break
		}
	}
	ce.variants = append(ce.variants, b)
	ce.size += add
	s.bytes += add
	s.lru.MoveToFront(e)
	s.evict()
}

// grew counts n more bytes for b, a link's bodies that got a gzip form,
// when they are still cached.
func (c *cache) grew(link string, b *bodies, n int64) {
	s := c.shard(link)
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.items[link]
	if !ok {
		return
	}
	ce := e.Value.(*cacheEntry)
	for _, v := range ce.variants {
		if v == b {
			ce.size += n
			s.bytes += n
			s.evict()
			return
		}
	}
}

func (s *cacheShard) evict() {
	for s.bytes > s.max {
		old := s.lru.Back()
		oe := old.Value.(*cacheEntry)
		s.lru.Remove(old)
		delete(s.items, oe.link)
		s.bytes -= oe.size
	}
}

func (b *bodies) gzipSize() (n int64) {
	for i := range b.gzip {
		if g := b.gzip[i].Load(); g != nil {
			n += int64(len(g.b))
		}
	}
	return n
}

// len returns how many bodies are cached.
func (c *cache) len() (n int) {
	for i := range c.shards {
		s := &c.shards[i]
		s.mu.Lock()
		for _, e := range s.items {
			n += len(e.Value.(*cacheEntry).variants)
		}
		s.mu.Unlock()
	}
	return n
}
