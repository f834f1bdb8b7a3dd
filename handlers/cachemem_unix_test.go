//go:build unix

package handlers

import (
	"bytes"
	"net/http/httptest"
	"syscall"
	"testing"

	"github.com/moneykit-mock/moneykit-mock/config"
)

// TestCacheWithoutMmap: when the arena cannot be mapped (strict overcommit),
// the cache takes its bytes from the Go heap, says so (main then gives the
// Go runtime's limit room for them), and answers as before.
func TestCacheWithoutMmap(t *testing.T) {
	if !New(Deps{}).CacheOffHeap() {
		t.Fatal("a mapped cache says it is on the Go heap")
	}
	mapped := mmap
	mmap = func(int, int64, int, int, int) ([]byte, error) { return nil, syscall.ENOMEM }
	defer func() { mmap = mapped }()
	s := New(Deps{Config: config.Config{StaticToken: "sandbox-token"}})
	if s.CacheOffHeap() {
		t.Fatal("a cache on the Go heap says it is off it")
	}
	var bodies [2][]byte
	for i := range bodies {
		r := httptest.NewRequest("GET", "/links/mk_heap/identity", nil)
		r.Header.Set("Authorization", "Bearer sandbox-token")
		w := httptest.NewRecorder()
		s.ServeHTTP(w, r)
		if w.Code != 200 {
			t.Fatalf("answer %d: %d %s", i, w.Code, w.Body)
		}
		bodies[i] = w.Body.Bytes()
	}
	if !bytes.Equal(bodies[0], bodies[1]) {
		t.Error("the cached answer differs from the first")
	}
	if s.cache.len() != 1 {
		t.Errorf("the heap cache holds %d bodies, want 1", s.cache.len())
	}
}
