//go:build unix

package handlers

import "syscall"

// cacheMemory maps n bytes for the cache from the operating system, outside
// the Go heap: pages count in RSS only once written, and the garbage
// collector neither scans nor counts them. release unmaps them; the cache
// calls it once it is unreachable. Should the mapping fail, the bytes come
// from the Go heap instead.
func cacheMemory(n int) (mem []byte, release func([]byte)) {
	mem, err := mmap(-1, 0, n, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		return make([]byte, n), nil
	}
	return mem, func(m []byte) { syscall.Munmap(m) }
}

// mmap is syscall.Mmap, a variable so that a test can make it fail.
var mmap = syscall.Mmap

// CacheOffHeap is whether the cache of bodies is meant to live outside the
// Go heap, mapped from the operating system (config.Config.GoMemoryLimit);
// Server.CacheOffHeap says whether a server's cache does.
const CacheOffHeap = true
