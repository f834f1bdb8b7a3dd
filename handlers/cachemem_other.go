//go:build !unix

package handlers

// cacheMemory gives the cache n bytes of the Go heap: on this system the
// mock does not map memory itself (cachemem_unix.go does).
func cacheMemory(n int) (mem []byte, release func([]byte)) { return make([]byte, n), nil }

// CacheOffHeap is whether the cache of bodies is meant to live outside the
// Go heap, mapped from the operating system (config.Config.GoMemoryLimit);
// Server.CacheOffHeap says whether a server's cache does.
const CacheOffHeap = false
