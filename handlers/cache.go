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
type cache struct {
	seed   maphash.Seed
	shards [cacheShards]cacheShard
}

const cacheShards = 16

// entryOverhead approximates what an entry costs beyond its key and body (list
// element, map slot, string headers).
const entryOverhead = 160

// bodyKey names a cached body: which part of which link, under which
// shaping (the fingerprint of the scenario entry that shapes it, 0 for none).
// A struct, not a joined string, so that looking one up allocates nothing.
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
	items map[bodyKey]*list.Element
	lru   list.List // front = most recently used
	bytes int64
	max   int64
}

type cacheEntry struct {
	key  bodyKey
	body body
}

func newCache(maxBytes int64) *cache {
	c := &cache{seed: maphash.MakeSeed()}
	for i := range c.shards {
		c.shards[i].items = map[bodyKey]*list.Element{}
		c.shards[i].max = maxBytes / cacheShards
	}
	return c
}

func (c *cache) shard(key bodyKey) *cacheShard {
	return &c.shards[(maphash.String(c.seed, key.link)^key.fp)%cacheShards]
}

// size is what an entry counts against the budget.
func (k bodyKey) size(b body) int64 { return int64(len(k.link) + len(b.b) + entryOverhead) }

// get returns the body cached under key. The body is shared: never modify it.
func (c *cache) get(key bodyKey) (body, bool) {
	s := c.shard(key)
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.items[key]; ok {
		s.lru.MoveToFront(e)
		return e.Value.(*cacheEntry).body, true
	}
	return body{}, false
}

// put caches body under key, evicting the least recently used bodies to stay
// within the byte budget. A body larger than a whole shard is not cached.
func (c *cache) put(key bodyKey, b body) {
	size := key.size(b)
	s := c.shard(key)
	s.mu.Lock()
	defer s.mu.Unlock()
	if size > s.max {
		return
	}
	if e, ok := s.items[key]; ok {
		old := e.Value.(*cacheEntry)
		s.bytes += size - key.size(old.body)
		old.body = b
		s.lru.MoveToFront(e)
	} else {
		s.items[key] = s.lru.PushFront(&cacheEntry{key: key, body: b})
		s.bytes += size
	}
	for s.bytes > s.max {
		e := s.lru.Back()
		ce := e.Value.(*cacheEntry)
		s.lru.Remove(e)
		delete(s.items, ce.key)
		s.bytes -= ce.key.size(ce.body)
	}
}

// len returns how many bodies are cached.
func (c *cache) len() (n int) {
	for i := range c.shards {
		s := &c.shards[i]
		s.mu.Lock()
		n += len(s.items)
		s.mu.Unlock()
	}
	return n
}
