package handlers

import (
	"container/list"
	"hash/maphash"
	"sync"
)

// cache keeps generated response bodies, so that the hot path is a lookup and
// not a generation. It is an LRU bounded in bytes, not entries: an endless
// stream of new link IDs evicts old bodies instead of growing memory. It is
// split in shards so that concurrent requests rarely wait on one lock.
//
// Entries are per link ID (a string key takes the map's fast path), and hold
// the few bodies made for that link: its identity answer and link object,
// plain or shaped by a scenario.
type cache struct {
	seed   maphash.Seed
	shards [cacheShards]cacheShard
}

const cacheShards = 16

// entryOverhead and variantOverhead approximate what an entry and each of its
// bodies cost beyond the key and body bytes (list element, map slot, headers).
const (
	entryOverhead   = 160
	variantOverhead = 64
)

// bodyKey names a cached body: which part of which link, under which
// shaping (the fingerprint of the scenario entry that shapes it, 0 for none).
type bodyKey struct {
	part part
	link string
	fp   uint64
}

// body is a cached body with its Content-Length header value, both made once
// and shared read-only by every answer that sends them.
type body struct {
	b             []byte
	contentLength []string
}

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
	variants []variant
	size     int64
}

type variant struct {
	part part
	fp   uint64
	body body
}

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

// get returns the body cached under key. The body is shared: never modify it.
func (c *cache) get(key bodyKey) (body, bool) {
	s := c.shard(key.link)
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.items[key.link]; ok {
		for _, v := range e.Value.(*cacheEntry).variants {
			if v.part == key.part && v.fp == key.fp {
				s.lru.MoveToFront(e)
				return v.body, true
			}
		}
	}
	return body{}, false
}

// put caches b under key, evicting the least recently used links to stay
// within the byte budget. A body larger than a whole shard is not cached.
func (c *cache) put(key bodyKey, b body) {
	s := c.shard(key.link)
	s.mu.Lock()
	defer s.mu.Unlock()
	add := int64(len(b.b) + variantOverhead)
	if int64(len(key.link)+entryOverhead)+add > s.max {
		return
	}
	e, ok := s.items[key.link]
	if !ok {
		e = s.lru.PushFront(&cacheEntry{link: key.link, size: int64(len(key.link) + entryOverhead)})
		s.items[key.link] = e
		s.bytes += e.Value.(*cacheEntry).size
	}
	ce := e.Value.(*cacheEntry)
	for i, v := range ce.variants {
		if v.part == key.part && v.fp == key.fp {
			ce.size -= int64(len(v.body.b) + variantOverhead)
			s.bytes -= int64(len(v.body.b) + variantOverhead)
			ce.variants = append(ce.variants[:i], ce.variants[i+1:]...)
			break
		}
	}
	ce.variants = append(ce.variants, variant{part: key.part, fp: key.fp, body: b})
	ce.size += add
	s.bytes += add
	s.lru.MoveToFront(e)
	for s.bytes > s.max {
		old := s.lru.Back()
		oe := old.Value.(*cacheEntry)
		s.lru.Remove(old)
		delete(s.items, oe.link)
		s.bytes -= oe.size
	}
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
