package config

import (
	"strings"
	"testing"
)

func TestMemory(t *testing.T) {
	c := Default()
	if c.MemoryMB != 64 || c.CacheBytes() != 32<<20 || c.GoMemoryLimit(false) != 52<<20 || c.GoMemoryLimit(true) != 20<<20 {
		t.Errorf("defaults: memory %d MiB, cache %d, Go limit %d", c.MemoryMB, c.CacheBytes(), c.GoMemoryLimit(true))
	}
	if err := c.Validate(); err != nil {
		t.Errorf("defaults do not validate: %v", err)
	}
	c.MemoryMB = 512
	if c.CacheBytes() != 256<<20 || c.GoMemoryLimit(false) != 480<<20 || c.GoMemoryLimit(true) != 224<<20 {
		t.Errorf("512 MiB: cache %d, Go limit %d", c.CacheBytes(), c.GoMemoryLimit(true))
	}
	c.MemoryMB = MinMemoryMB // the cache shrinks to leave the runtime its least
	if c.CacheBytes() != 4<<20 || c.GoMemoryLimit(true) != 8<<20 {
		t.Errorf("%d MiB: cache %d, Go limit %d", c.MemoryMB, c.CacheBytes(), c.GoMemoryLimit(true))
	}
	c.MemoryMB = 512
	c.CacheMB = 100
	if c.CacheBytes() != 100<<20 {
		t.Errorf("--cache-mb 100: cache %d", c.CacheBytes())
	}
	for _, tc := range []struct {
		memory, cache int64
		want          string
	}{
		{16, 0, "memory 16 MiB: must be at least 24"},
		{64, 60, "cache size 60 MiB: must be 1 to 44"},
		{64, -1, "cache size -1 MiB"},
		{64, 44, ""},
	} {
		c := Default()
		c.MemoryMB, c.CacheMB = tc.memory, tc.cache
		err := c.Validate()
		if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("memory %d, cache %d: %v, want %q", tc.memory, tc.cache, err, tc.want)
		}
	}
}
