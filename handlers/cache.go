package handlers

import (
	"bytes"
	"encoding/binary"
	"hash/maphash"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/moneykit-mock/moneykit-mock/fixtures"
)

// cache keeps generated response bodies, so that the hot path is a lookup and
// a copy, not a generation. It is bounded in bytes, not entries: an endless
// stream of new link IDs evicts old bodies instead of growing memory.
//
// Its bytes live outside the Go heap, in one arena mapped from the operating
// system (cachemem_unix.go), cut into shards so that concurrent requests
// rarely wait on one lock. Each shard is a ring: entries are appended at the
// head and leave from the tail, oldest first, but an entry read since it was
// put is moved to the head instead of leaving (a CLOCK's second chance), so
// that links in use stay and nothing moves while nothing is evicted. Each
// shard's index maps a key's hash to the entry's offset and holds no
// pointers. So the garbage collector never scans, marks or counts the
// bodies: a full cache costs it nothing, and the process's RSS is the
// arena's touched pages plus a small Go heap (see config.Config.MemoryMB).
//
// An entry is a link's bodies under one shaping (fp, the fingerprint of the
// scenario entry that shapes it, 0 for none), or the gzip form of one of its
// parts. Readers copy what they need out under the shard's lock, since the
// bytes are overwritten once the entry leaves.
//
// A body is kept compact: a list of segments of its own bytes, where an
// account whose owners are those of an earlier account refers to that
// account's owners (a household's accounts mostly have the same people),
// and the institution's avatar is one shared copy per distinct avatar. One
// identity body serves both link routes (the link object is a run of its
// segments). That keeps 10,000 links in about three quarters of the bytes
// of their bodies.
type cache struct {
	seed    maphash.Seed
	shards  [cacheShards]cacheShard
	avatars avatars
}

const cacheShards = 16

type cacheShard struct {
	mu sync.Mutex
	// index maps an entry's key hash to its offset in buf.
	index map[uint64]uint32
	buf   []byte
	// head is where the next entry goes, tail the oldest entry; used is
	// the bytes from tail to head (live, dead and skipped alike).
	head, tail, used uint32
	// moves is how many entries the current alloc may still move.
	moves int
}

// part is which part of a link's data a body holds.
type part byte

const (
	identityPart part = iota // the whole identity answer
	linkPart                 // the link object alone
)

// An entry in a shard's ring is a header, the key (the link ID), and the
// payload; its size is rounded up to entryAlign. A skip entry (kind 0) fills
// the end of the ring that was too short for the next entry.
const (
	entryHeader = 32
	entryAlign  = 8
	// offsets in the header
	hSize    = 0  // u32 the entry's whole size
	hKind    = 4  // u8 kindSkip or kindBodies, kindGzip+part
	hUsed    = 5  // u8 1 when read since it was put or last moved
	hKeyLen  = 6  // u16
	hHash    = 8  // u64
	hFP      = 16 // u64
	hPayload = 24 // u32 payload length
)

const (
	kindSkip   = 0
	kindBodies = 1
	kindGzip   = 2 // + part
)

// The payload of a kindBodies entry: the two parts' lengths, the segments
// and the body's own bytes.
const (
	pIdentityLen = 0  // u32
	pLinkLen     = 4  // u32
	pSegs        = 8  // u16 how many segments
	pLinkSeg     = 10 // u16 the first segment of the link object
	pAvatar      = 12 // u32 the avatar's index in avatars, +1 (0: none)
	pHeader      = 16 // segments follow, 8 bytes each, then the own bytes
)

// seg is a run of a body: n bytes at off in its own bytes, or of its avatar
// when off has segAvatar set.
type seg struct{ off, n uint32 }

const segAvatar = 1 << 31

var le = binary.LittleEndian

func newCache(maxBytes int64) *cache {
	per := uint32(min(max(maxBytes/cacheShards, 4<<10), 1<<30)) &^ (entryAlign - 1)
	mem, release := cacheMemory(int(per) * cacheShards)
	c := &cache{seed: maphash.MakeSeed()}
	if release != nil {
		runtime.AddCleanup(c, release, mem)
	}
	for i := range c.shards {
		s := &c.shards[i]
		s.index = map[uint64]uint32{}
		s.buf = mem[i*int(per) : (i+1)*int(per) : (i+1)*int(per)]
	}
	return c
}

// key hashes an entry's key: the link, the shaping and the kind.
func (c *cache) key(link string, fp uint64, kind byte) uint64 {
	h := maphash.String(c.seed, link)
	h ^= (fp + uint64(kind)) * 0x9e3779b97f4a7c15
	h ^= h >> 29
	return h
}

func (c *cache) shard(h uint64) *cacheShard { return &c.shards[h>>60%cacheShards] }

// find returns the offset of the entry with this key in s, or false. The
// caller holds s.mu.
func (s *cacheShard) find(h uint64, link string, fp uint64, kind byte) (uint32, bool) {
	off, ok := s.index[h]
	if !ok {
		return 0, false
	}
	e := s.buf[off:]
	kl := int(le.Uint16(e[hKeyLen:]))
	if e[hKind] != kind || le.Uint64(e[hFP:]) != fp || kl != len(link) || string(e[entryHeader:entryHeader+kl]) != link {
		return 0, false // another key with the same hash
	}
	return off, true
}

// payload is the payload of the entry at off.
func (s *cacheShard) payload(off uint32) []byte {
	e := s.buf[off:]
	start := entryHeader + int(le.Uint16(e[hKeyLen:]))
	return e[start : start+int(le.Uint32(e[hPayload:]))]
}

// appendBody appends part p of a link's bodies under shaping fp to dst, the
// gzip form when gz, and reports whether the cache had it.
func (c *cache) appendBody(dst []byte, link string, fp uint64, p part, gz bool) ([]byte, bool) {
	kind := byte(kindBodies)
	if gz {
		kind = kindGzip + byte(p)
	}
	h := c.key(link, fp, kind)
	s := c.shard(h)
	s.mu.Lock()
	defer s.mu.Unlock()
	off, ok := s.find(h, link, fp, kind)
	if !ok {
		return dst, false
	}
	pl := s.payload(off)
	if gz {
		dst = append(dst, pl...)
	} else {
		dst = appendPart(dst, pl, p, c.avatars.list())
	}
	s.buf[off+hUsed] = 1 // a second chance when it reaches the tail (evict)
	return dst, true
}

// put adds an entry, replacing one with the same key. Entries bigger than a
// quarter of a shard are not cached (and one with the same key goes).
func (c *cache) put(link string, fp uint64, kind byte, payloadLen int, fill func([]byte)) {
	h := c.key(link, fp, kind)
	s := c.shard(h)
	size := (entryHeader + len(link) + payloadLen + entryAlign - 1) &^ (entryAlign - 1)
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(link) > 0xffff || size > len(s.buf)/4 {
		delete(s.index, h) // what was cached under the key is no longer the answer
		return
	}
	off, _ := s.alloc(uint32(size))
	e := s.buf[off : off+uint32(size)]
	le.PutUint32(e[hSize:], uint32(size))
	e[hKind] = kind
	e[hUsed] = 0 // the arena holds an older entry's bytes
	le.PutUint16(e[hKeyLen:], uint16(len(link)))
	le.PutUint64(e[hHash:], h)
	le.PutUint64(e[hFP:], fp)
	le.PutUint32(e[hPayload:], uint32(payloadLen))
	copy(e[entryHeader:], link)
	fill(e[entryHeader+len(link):][:payloadLen])
	s.index[h] = off
}

// alloc finds size bytes at the head of the ring, making room by letting the
// oldest entries go (evict). The caller holds s.mu.
func (s *cacheShard) alloc(size uint32) (uint32, bool) {
	if size > uint32(len(s.buf))/4 {
		return 0, false // callers check; the ring always has room for a quarter
	}
	s.moves = maxMoves
	for {
		if off, ok := s.tryTake(size); ok {
			return off, true
		}
		s.evict()
	}
}

// maxMoves bounds the entries one alloc may move to the head.
const maxMoves = 8

// tryTake takes size bytes at the head if they are free without evicting,
// wrapping the head (the rest of the ring skipped) when the end is too short.
func (s *cacheShard) tryTake(size uint32) (uint32, bool) {
	n := uint32(len(s.buf))
	if s.used == 0 {
		s.head, s.tail = 0, 0
	}
	if s.used != 0 && s.head == s.tail {
		return 0, false // full
	}
	if s.head >= s.tail && s.used != 0 || s.used == 0 {
		if n-s.head >= size {
			return s.take(size), true
		}
		if s.tail < size {
			return 0, false // wrapping would not help yet
		}
		e := s.buf[s.head:]
		le.PutUint32(e[hSize:], n-s.head)
		e[hKind] = kindSkip
		s.used += n - s.head
		s.head = 0
	}
	if s.tail-s.head >= size {
		return s.take(size), true
	}
	return 0, false
}

func (s *cacheShard) take(size uint32) uint32 {
	off := s.head
	s.head += size
	s.used += size
	if s.head == uint32(len(s.buf)) {
		s.head = 0
	}
	return off
}

// evict lets the entry at the tail go, or, when it was read since it was
// put (and this alloc has moves left), moves it to the head instead: the
// second chance of a CLOCK, so that entries in use stay while the ones
// nobody reads leave first, and nothing is copied while nothing is evicted.
func (s *cacheShard) evict() {
	from := s.tail
	e := s.buf[from:]
	size := le.Uint32(e[hSize:])
	var h uint64
	live := false
	if e[hKind] != kindSkip { // a skip may be too short for a hash
		h = le.Uint64(e[hHash:])
		off, ok := s.index[h]
		live = ok && off == from // not replaced nor forgotten since
	}
	s.tail += size
	s.used -= size
	if s.tail == uint32(len(s.buf)) {
		s.tail = 0
	}
	if !live {
		return
	}
	if e[hUsed] == 1 && s.moves > 0 {
		s.moves--
		// The entry's bytes stay where they are until written over: the
		// head is behind the old tail or past it, so copy (a memmove)
		// reads them before it overwrites any.
		if to, ok := s.tryTake(size); ok {
			copy(s.buf[to:to+size], s.buf[from:from+size])
			s.buf[to+hUsed] = 0
			s.index[h] = to
			return
		}
	}
	delete(s.index, h)
}

// putBodies caches the compact bodies of one identity answer, raw, whose
// link object starts at linkAt and whose repeating parts sp names.
func (c *cache) putBodies(link string, fp uint64, raw []byte, linkAt int, sp *fixtures.Spans) {
	cb := compactBufs.Get().(*compactBuf)
	defer compactBufs.Put(cb)
	segs, own, avatar := compact(cb, raw, linkAt, sp, c.avatars.intern)
	c.put(link, fp, kindBodies, pHeader+8*len(segs.list)+len(own), func(pl []byte) {
		le.PutUint32(pl[pIdentityLen:], uint32(len(raw)))
		le.PutUint32(pl[pLinkLen:], uint32(len(raw)-1-linkAt))
		le.PutUint16(pl[pSegs:], uint16(len(segs.list)))
		le.PutUint16(pl[pLinkSeg:], uint16(segs.link))
		le.PutUint32(pl[pAvatar:], avatar)
		for i, sg := range segs.list {
			le.PutUint32(pl[pHeader+8*i:], sg.off)
			le.PutUint32(pl[pHeader+8*i+4:], sg.n)
		}
		copy(pl[pHeader+8*len(segs.list):], own)
	})
}

// putGzip caches the gzip form of part p.
func (c *cache) putGzip(link string, fp uint64, p part, z []byte) {
	c.put(link, fp, kindGzip+byte(p), len(z), func(pl []byte) { copy(pl, z) })
}

// compactBuf holds compact's work, reused through compactBufs.
type compactBuf struct {
	own          []byte
	segs, firsts []seg
}

var compactBufs = sync.Pool{New: func() any { return new(compactBuf) }}

// segments are a compact body's runs, and the first run of its link object.
type segments struct {
	list []seg
	link int
}

// compact splits raw into segments of its own bytes (returned) and of
// earlier owners and the shared avatar; intern gives the avatar's index +1,
// or 0 to keep it in the body. The link object and the final "}" start
// segments of their own, so that both parts are runs of segments.
//
// It works in cb's buffers (the results are in them, valid until cb is used
// again), so that a new body costs no allocation here.
func compact(cb *compactBuf, raw []byte, linkAt int, sp *fixtures.Spans, intern func([]byte) uint32) (segs segments, own []byte, avatar uint32) {
	own, segs.list = cb.own[:0], cb.segs[:0]
	firsts := cb.firsts[:0] // the owners arrays kept so far, in own
	defer func() { cb.own, cb.segs, cb.firsts = own, segs.list, firsts }()
	pos := 0
	copyTo := func(end int) {
		for pos < end {
			stop, split := end, pos == linkAt || pos == len(raw)-1
			for _, f := range [2]int{linkAt, len(raw) - 1} {
				if pos < f && f < stop {
					stop = f
				}
			}
			if pos == linkAt {
				segs.link = len(segs.list)
			}
			l := segs.list
			if n := len(l); n > 0 && !split && l[n-1].off&segAvatar == 0 && int(l[n-1].off+l[n-1].n) == len(own) {
				l[n-1].n += uint32(stop - pos)
			} else {
				segs.list = append(l, seg{uint32(len(own)), uint32(stop - pos)})
			}
			own = append(own, raw[pos:stop]...)
			pos = stop
		}
	}
	if sp != nil {
	owners:
		for _, o := range sp.Owners {
			copyTo(o[0])
			for _, f := range firsts {
				if bytes.Equal(own[f.off:f.off+f.n], raw[o[0]:o[1]]) {
					segs.list = append(segs.list, f)
					pos = o[1]
					continue owners
				}
			}
			firsts = append(firsts, seg{uint32(len(own)), uint32(o[1] - o[0])})
			copyTo(o[1])
		}
		if a := sp.Avatar; a[1] > a[0] && intern != nil {
			copyTo(a[0])
			if avatar = intern(raw[a[0]:a[1]]); avatar != 0 {
				segs.list = append(segs.list, seg{segAvatar, uint32(a[1] - a[0])})
				pos = a[1]
			}
		}
	}
	copyTo(len(raw))
	return segs, own, avatar
}

// appendPart appends part p of a kindBodies payload to dst; avatars are the
// interned avatars.
func appendPart(dst, pl []byte, p part, avatars [][]byte) []byte {
	nsegs := int(le.Uint16(pl[pSegs:]))
	own := pl[pHeader+8*nsegs:]
	from, to := 0, nsegs
	if p == linkPart {
		from, to = int(le.Uint16(pl[pLinkSeg:])), nsegs-1
	}
	var avatar []byte
	if a := le.Uint32(pl[pAvatar:]); a != 0 {
		avatar = avatars[a-1]
	}
	for i := from; i < to; i++ {
		off, n := le.Uint32(pl[pHeader+8*i:]), le.Uint32(pl[pHeader+8*i+4:])
		if off&segAvatar != 0 {
			dst = append(dst, avatar[:n]...)
		} else {
			dst = append(dst, own[off:off+n]...)
		}
	}
	return dst
}

// avatars interns the avatar strings of bodies, up to maxAvatarBytes: past
// that (many distinct avatars given by scenarios), bodies keep their own.
// Readers take the list without a lock: it is replaced, never changed.
type avatars struct {
	mu    sync.Mutex
	m     map[string]uint32
	all   atomic.Pointer[[][]byte]
	bytes int
}

const maxAvatarBytes = 1 << 20

// intern returns v's index in the list, +1, or 0 when the table is full.
func (a *avatars) intern(v []byte) uint32 {
	a.mu.Lock()
	defer a.mu.Unlock()
	if i, ok := a.m[string(v)]; ok {
		return i
	}
	if a.bytes+len(v) > maxAvatarBytes {
		return 0
	}
	if a.m == nil {
		a.m = map[string]uint32{}
	}
	old := a.list()
	next := append(old[:len(old):len(old)], bytes.Clone(v))
	a.all.Store(&next)
	a.m[string(v)] = uint32(len(next))
	a.bytes += len(v)
	return uint32(len(next))
}

func (a *avatars) list() [][]byte {
	if l := a.all.Load(); l != nil {
		return *l
	}
	return nil
}

// len returns how many bodies (not gzip forms) are cached.
func (c *cache) len() (n int) {
	for i := range c.shards {
		s := &c.shards[i]
		s.mu.Lock()
		for _, off := range s.index {
			if s.buf[off+hKind] == kindBodies {
				n++
			}
		}
		s.mu.Unlock()
	}
	return n
}
