package handlers

import (
	"bytes"
	"encoding/binary"
	"hash/maphash"
	"runtime"
	"slices"
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
// A body is kept compact (see compactor.compact): the encoder's constant
// text between values is one byte naming it in a table the cache shares,
// a value written earlier in the body is a copy, and so is an account's
// owners array that an earlier account has too (a household's accounts
// mostly have the same people); the institution's avatar is one shared
// copy per distinct avatar. One identity body serves both link routes (the
// link object is a run of its ops). That keeps 10,000 links in about 28%
// of the bytes of their bodies, so a warm cache of them touches ~9 MiB of
// the arena instead of ~31.
type cache struct {
	seed    maphash.Seed
	shards  [cacheShards]cacheShard
	avatars avatars
	gaps    gapTable
	offHeap bool // the arena was mapped from the operating system
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

// The payload of a kindBodies entry: the identity body's length, where the
// link object's ops start and end, the avatar, then the ops (compact).
const (
	pIdentityLen = 0  // u32
	pLinkOp      = 4  // u32
	pEndOp       = 8  // u32
	pAvatar      = 12 // u32 the avatar's index in avatars, +1 (0: none)
	pHeader      = 16
)

var le = binary.LittleEndian

func newCache(maxBytes int64) *cache {
	per := uint32(min(max(maxBytes/cacheShards, 4<<10), 1<<30)) &^ (entryAlign - 1)
	mem, release := cacheMemory(int(per) * cacheShards)
	c := &cache{seed: maphash.MakeSeed(), offHeap: release != nil}
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
// gzip form when gz, and reports whether the cache had it. Unlike append,
// it may write over up to wildMax bytes of dst's capacity past what it
// returns (appendPart's word-wise copies): dst's spare room must be free.
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
		dst = c.appendPart(dst, pl, p)
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
	off := s.alloc(uint32(size))
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
// oldest entries go (evict). The caller holds s.mu, and size is at most a
// quarter of the ring (put checks), for which there is always room.
func (s *cacheShard) alloc(size uint32) uint32 {
	s.moves = maxMoves
	for {
		if off, ok := s.tryTake(size); ok {
			return off
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
	k := compactors.Get().(*compactor)
	defer compactors.Put(k)
	ops, linkOp, endOp, avatar := k.compact(raw, linkAt, sp, &c.gaps, c.avatars.intern)
	c.put(link, fp, kindBodies, pHeader+len(ops), func(pl []byte) {
		le.PutUint32(pl[pIdentityLen:], uint32(len(raw)))
		le.PutUint32(pl[pLinkOp:], uint32(linkOp))
		le.PutUint32(pl[pEndOp:], uint32(endOp))
		le.PutUint32(pl[pAvatar:], avatar)
		copy(pl[pHeader:], ops)
	})
}

// putGzip caches the gzip form of part p.
func (c *cache) putGzip(link string, fp uint64, p part, z []byte) {
	c.put(link, fp, kindGzip+byte(p), len(z), func(pl []byte) { copy(pl, z) })
}

// A compact body is a program that writes the body: a run of pairs, each a
// gap and a value. A gap is one byte, its index in the gap table (0 is the
// empty gap); a value is a byte n and, for n up to wildMax, n bytes of it.
// Longer gaps and values are cut into several pairs, so that every run is
// at most wildMax bytes (see appendPart). Two values of n say more:
const (
	valCopy   = 0xfe // uvarints d and n: the n bytes written d bytes back
	valAvatar = 0xff // the interned avatar
	maxGaps   = 256  // a gap is one byte
	minCopy   = 8    // shorter values are cheaper written again than copied
	seenBits  = 7
)

// compactor holds the work of compacting one body, reused through
// compactors, so that a new body costs no allocation here.
type compactor struct {
	raw    []byte
	ops    []byte
	open   bool                                 // the last pair has its gap and lacks its value
	gap    int                                  // where the gap not yet written starts, in raw
	owners [][2]int                             // the owners arrays written so far, in raw
	seen   [1 << seenBits]struct{ at, n int32 } // values written, by hash
	gaps   *gapSnap
	table  *gapTable
	values []int32 // the marks of the values, the next to write, where the last ended
	next   int
	prev   int
	// pending are the gaps new to the table, in raw, to be added as the
	// indexes from gaps.n on.
	pending [][]byte
}

var compactors = sync.Pool{New: func() any { return new(compactor) }}

// compact writes raw as ops (valid until k is used again), and returns where
// the link object's ops start and end (the final "}" is an op of its own) and
// the avatar's index + 1 (0: the avatar, if any, is in the ops).
//
// The body is cut at the values the encoder marked in sp (strings that are
// not keys, and numbers), and what lies between them, the gaps, is the
// encoder's constant text (keys, punctuation, null, true, false), in pieces
// of at most wildMax bytes: ~80 distinct pieces for default bodies, ~90 with
// every shaping of links and products, so each is one byte naming it in a
// table the cache shares. A value is written out, or, when it is at least
// minCopy bytes and was written earlier in the same part (a household's
// accounts share their balance dates, refreshed_at is last_attempted_at),
// it is a copy of it, as far as a small hash table of the part's values
// remembers. An account's owners array that equals an earlier account's is
// one copy, and the institution's avatar one byte. That keeps 10,000 links
// in about 28% of the bytes of their bodies.
//
// Any bytes round-trip, whatever sp says. From the first mark that is not
// an encoder's (out of order, overlapping, out of the body), marks are not
// used and the rest of the body adds nothing to the table; hints of owners
// arrays and the avatar out of place are passed over. A gap not in the table and with no
// room left there is written out. Copies never reach back before the part
// they are in, so the link object's ops write it alone.
func (k *compactor) compact(raw []byte, linkAt int, sp *fixtures.Spans, table *gapTable, intern func([]byte) uint32) (ops []byte, linkOp, endOp int, avatar uint32) {
	defer func() { k.raw, k.table, k.gaps, k.values, k.pending = nil, nil, nil, nil, k.pending[:0] }()
	// The gaps new to the table are added at the end, all in one snapshot
	// (a snapshot per gap was ~300 KB of garbage while a new cache filled);
	// when another body added some meanwhile, the ids given may be taken, so
	// the body is compacted again over the newer table. That happens while
	// the table fills, and the last try adds nothing.
	for try := 1; ; try++ {
		k.pending = k.pending[:0]
		ops, linkOp, endOp, avatar = k.compactOnce(raw, linkAt, sp, table, try < maxTries, intern)
		if len(k.pending) == 0 || table.addAll(k.gaps, k.pending) {
			return ops, linkOp, endOp, avatar
		}
	}
}

const maxTries = 4

// compactOnce is one try of compact over the table as it is now; with add
// false, gaps not in it are written out.
func (k *compactor) compactOnce(raw []byte, linkAt int, sp *fixtures.Spans, table *gapTable, add bool, intern func([]byte) uint32) (ops []byte, linkOp, endOp int, avatar uint32) {
	k.raw, k.ops, k.owners, k.table, k.gaps = raw, k.ops[:0], k.owners[:0], table, table.load()
	if !add {
		k.table = nil
	}
	k.open = false
	k.values, k.next, k.prev = nil, 0, 0
	last := max(len(raw)-1, 0)
	linkAt = min(max(linkAt, 0), last)
	var av [2]int
	if sp != nil {
		k.values, av = sp.Values, sp.Avatar
	} else {
		k.unmarked()
	}
	k.part(0)
	if sp != nil {
	owners:
		for _, o := range sp.Owners {
			if o[0] < k.gap || o[1] > linkAt || o[0] > o[1] {
				continue // not spans of this body: pass over the hint
			}
			k.valuesTo(o[0])
			for _, f := range k.owners {
				if f[1] <= o[0] && f[1]-f[0] == o[1]-o[0] && bytes.Equal(raw[f[0]:f[1]], raw[o[0]:o[1]]) {
					k.flush(o[0])
					k.copyOp(o[0]-f[0], o[1]-o[0])
					k.gap = o[1]
					continue owners
				}
			}
			k.owners = append(k.owners, o)
		}
	}
	k.valuesTo(linkAt)
	k.flush(linkAt)
	k.close()
	linkOp = len(k.ops)
	k.part(linkAt)
	if av[0] >= linkAt && av[0] < av[1] && av[1] <= last && intern != nil {
		k.valuesTo(av[0])
		if avatar = intern(raw[av[0]:av[1]]); avatar != 0 {
			k.flush(av[0])
			k.startValue()
			k.ops = append(k.ops, valAvatar)
			k.gap = av[1]
		}
	}
	k.valuesTo(last)
	k.flush(last)
	k.close()
	endOp = len(k.ops)
	k.part(last)
	k.flush(len(raw))
	k.close()
	k.ops = append(k.ops, make([]byte, opsPad)...)
	return k.ops, linkOp, endOp, avatar
}

// unmarked stops the use of marks, and of the table for new gaps: bytes
// without marks, or with marks that are not an encoder's, are not the
// encoder's gaps between values, and would fill the table the cache shares
// with pieces no other body has. What is left of the body is written out.
func (k *compactor) unmarked() {
	k.values, k.next, k.table = nil, 0, nil
}

// part starts a part at at: copies reach back no further.
func (k *compactor) part(at int) {
	k.gap = at
	k.seen = [1 << seenBits]struct{ at, n int32 }{}
}

// valuesTo writes the marked values that end by to, and the gaps before
// them; the gap after the last is left open. A mark out of order, empty or
// out of the body ends the use of marks (unmarked).
func (k *compactor) valuesTo(to int) {
	v := k.values
	for ; k.next+1 < len(v); k.next += 2 {
		start, end := int(v[k.next]), int(v[k.next+1])
		if start < k.prev || end <= start || end > len(k.raw) {
			k.unmarked()
			return
		}
		if end > to {
			return
		}
		k.prev = end
		if start >= k.gap { // else in an owners array written as a copy
			k.value(start, end)
		}
	}
}

// value writes the value raw[i:j], after the gap before it.
func (k *compactor) value(i, j int) {
	k.flush(i)
	v := k.raw[i:j]
	k.gap = j
	if n := len(v); n >= minCopy {
		h := mix(v) >> (64 - seenBits)
		if e := k.seen[h]; int(e.n) == n && bytes.Equal(k.raw[e.at:int(e.at)+n], v) {
			k.copyOp(i-int(e.at), n)
			return
		}
		k.seen[h] = struct{ at, n int32 }{int32(i), int32(n)}
	}
	k.literal(v)
}

// flush writes the gap from k.gap to at, in pieces of up to wildMax bytes,
// each by its index in the gap table when it is there or can be added,
// else written out as a value. A longer gap is cut before a comma, where a
// key starts, so that its pieces are the same keys whichever of the fields
// around them are null (a product's error fields, a link's error_code),
// rather than a new piece for each combination.
func (k *compactor) flush(at int) {
	for k.gap < at {
		end := at
		if end-k.gap > wildMax {
			end = k.gap + wildMax
			if c := bytes.LastIndexByte(k.raw[k.gap+1:end], ','); c >= 0 {
				end = k.gap + 1 + c
			}
		}
		g := k.raw[k.gap:end]
		k.gap = end
		// The gap after a gap is mostly the one that followed it last
		// time (the encoder writes the same keys in the same order), a
		// guess cheaper to check than a lookup.
		id, ok := k.gaps.find(g)
		if !ok && k.table != nil {
			id, ok = k.newGap(g)
		}
		if !ok {
			k.literal(g)
			continue
		}
		if k.open {
			k.ops = append(k.ops, 0) // the empty value
		}
		k.ops = append(k.ops, id)
		k.open = true
	}
}

// newGap gives g, not in the table, the index it takes when the body's new
// gaps are added (one of k.pending), or false when the table is full.
func (k *compactor) newGap(g []byte) (byte, bool) {
	for i, p := range k.pending {
		if bytes.Equal(p, g) {
			return byte(k.gaps.n + i), true
		}
	}
	if k.gaps.n+len(k.pending) >= maxGaps {
		return 0, false
	}
	k.pending = append(k.pending, g)
	return byte(k.gaps.n + len(k.pending) - 1), true
}

// close ends the last pair, so that a part is whole pairs.
func (k *compactor) close() {
	if k.open {
		k.ops = append(k.ops, 0)
		k.open = false
	}
}

// startValue writes the empty gap when the last pair is whole.
func (k *compactor) startValue() {
	if !k.open {
		k.ops = append(k.ops, 0)
	}
	k.open = false
}

func (k *compactor) literal(v []byte) {
	for first := true; first || len(v) > 0; first = false {
		piece := v[:min(len(v), wildMax)]
		v = v[len(piece):]
		k.startValue()
		k.ops = append(k.ops, byte(len(piece)))
		k.ops = append(k.ops, piece...)
	}
}

func (k *compactor) copyOp(d, n int) {
	k.startValue()
	k.ops = append(k.ops, valCopy)
	k.ops = binary.AppendUvarint(k.ops, uint64(d))
	k.ops = binary.AppendUvarint(k.ops, uint64(n))
}

// appendPart appends part p of a kindBodies payload to dst.
//
// Each gap and value, at most wildMax bytes, is copied a word at a time,
// wildMax bytes whatever its length, into room made for it past the end
// (the next run writes over the excess): a body is ~90 pairs, and a call to
// memmove for each, or a branch on what comes next, was most of the time
// taken. Gaps and ops are followed by wildMax readable bytes for that.
func (c *cache) appendPart(dst, pl []byte, p part) []byte {
	ops := pl[pHeader:]
	from, to := 0, len(ops)-opsPad
	if p == linkPart {
		from, to = int(le.Uint32(pl[pLinkOp:])), int(le.Uint32(pl[pEndOp:]))
	}
	dst = slices.Grow(dst, int(le.Uint32(pl[pIdentityLen:]))+wildMax)
	w, out := len(dst), dst[:cap(dst)]
	g := c.gaps.load()
	for i := from; i+1 < to; {
		r := g.ref[ops[i]]
		wild(out[w:], g.bytes[r>>8:])
		w += int(r & 0xff)
		n := int(ops[i+1])
		i += 2
		if n <= wildMax {
			wild(out[w:], ops[i:])
			w += n
			i += n
			continue
		}
		switch n {
		case valCopy:
			d, k := binary.Uvarint(ops[i:])
			i += k
			n, k := binary.Uvarint(ops[i:])
			i += k
			from := w - int(d)
			w += copy(out[w:w+int(n)], out[from:from+int(n)])
		case valAvatar:
			w += copy(out[w:], c.avatars.list()[le.Uint32(pl[pAvatar:])-1])
		}
	}
	return dst[:w]
}

const (
	wildMax = 32
	opsPad  = wildMax // zero bytes after a body's ops
)

// wild copies wildMax bytes of src to dst, a word at a time.
func wild(dst, src []byte) {
	_, _ = dst[wildMax-1], src[wildMax-1]
	a, b, c, d := le.Uint64(src), le.Uint64(src[8:]), le.Uint64(src[16:]), le.Uint64(src[24:])
	le.PutUint64(dst, a)
	le.PutUint64(dst[8:], b)
	le.PutUint64(dst[16:], c)
	le.PutUint64(dst[24:], d)
}

// gapTable is the gaps compact bodies name by index, shared by the cache:
// the empty gap (0) and up to maxGaps-1 more of at most wildMax bytes,
// added to and never changed, so that an index stays valid for as long as
// the cache lives. Readers take the snapshot without a lock.
type gapTable struct {
	mu   sync.Mutex
	snap atomic.Pointer[gapSnap]
}

const (
	gapSlotBits = 10
	gapSlots    = 1 << gapSlotBits // open addressing, probed linearly
)

type gapSnap struct {
	bytes []byte           // the gaps one after the other, then wildMax zero bytes
	ref   [maxGaps]uint32  // a gap's offset in bytes << 8 | its length
	n     int              // how many, the empty gap included
	slot  [gapSlots]uint16 // a gap's index + 1, 0 for an empty slot
}

var noGaps = gapSnap{bytes: make([]byte, wildMax), n: 1}

func (t *gapTable) load() *gapSnap {
	if s := t.snap.Load(); s != nil {
		return s
	}
	return &noGaps
}

func (s *gapSnap) gap(id uint8) []byte {
	r := s.ref[id]
	return s.bytes[r>>8 : r>>8+r&0xff]
}

// same is bytes.Equal for runs of up to wildMax bytes, in a few word
// compares instead of a call: compacting a body checks ~110 gaps, and with
// bytes.Equal BenchmarkCompact took ~10% longer.
func same(a, b []byte) bool {
	n := len(a)
	if n != len(b) {
		return false
	}
	switch {
	case n > wildMax:
		return bytes.Equal(a, b)
	case n >= 16:
		return le.Uint64(a) == le.Uint64(b) && le.Uint64(a[8:]) == le.Uint64(b[8:]) &&
			le.Uint64(a[n-16:]) == le.Uint64(b[n-16:]) && le.Uint64(a[n-8:]) == le.Uint64(b[n-8:])
	case n >= 8:
		return le.Uint64(a) == le.Uint64(b) && le.Uint64(a[n-8:]) == le.Uint64(b[n-8:])
	}
	for i := range n {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// gapSlot is where g's index is, or its probe starts; g is not empty.
func gapSlot(g []byte) int {
	return int(mix(g) >> (64 - gapSlotBits))
}

// mix hashes b, not empty, from its first and last eight bytes: the gaps
// and values it hashes are short, and with maphash.Bytes BenchmarkCompact
// took ~25% longer.
func mix(b []byte) uint64 {
	n := len(b)
	var x, y uint64
	if n >= 8 {
		x, y = le.Uint64(b), le.Uint64(b[n-8:])
	} else {
		for i, c := range b {
			x |= uint64(c) << (8 * i)
		}
	}
	return (x*0x9e3779b97f4a7c15 ^ y*0xc2b2ae3d27d4eb4f ^ uint64(n)) * 0x165667b19e3779f9
}

// find returns the index of g, not empty, in the table.
func (s *gapSnap) find(g []byte) (byte, bool) {
	for h := gapSlot(g); ; h = (h + 1) % gapSlots {
		id := s.slot[h]
		if id == 0 {
			return 0, false
		}
		if same(s.gap(byte(id-1)), g) {
			return byte(id - 1), true
		}
	}
}

// addAll adds gaps, not empty, at most wildMax bytes and not in base, as
// the indexes from base.n on, if base is still the newest snapshot;
// otherwise it adds nothing and reports false.
func (t *gapTable) addAll(base *gapSnap, gaps [][]byte) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.load() != base || base.n+len(gaps) > maxGaps {
		return false
	}
	next := *base
	size := len(base.bytes)
	for _, g := range gaps {
		size += len(g)
	}
	next.bytes = append(make([]byte, 0, size), base.bytes[:len(base.bytes)-wildMax]...)
	for _, g := range gaps {
		next.ref[next.n] = uint32(len(next.bytes))<<8 | uint32(len(g))
		next.bytes = append(next.bytes, g...)
		h := gapSlot(g)
		for next.slot[h] != 0 {
			h = (h + 1) % gapSlots
		}
		next.n++
		next.slot[h] = uint16(next.n) // the index + 1
	}
	next.bytes = append(next.bytes, make([]byte, wildMax)...)
	t.snap.Store(&next)
	return true
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
