package scenarios

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
)

// embedded holds the default catalogue that every Set starts from.
//
//go:embed *.yaml
var embedded embed.FS

// embeddedSource prefixes the Source of embedded entries.
const embeddedSource = "embedded:"

var loadDefault = sync.OnceValues(func() (*Set, error) {
	names, err := fs.Glob(embedded, "*.yaml") // sorted
	if err != nil {
		return nil, err
	}
	files := make([]file, 0, len(names))
	for _, name := range names {
		data, err := embedded.ReadFile(name)
		if err != nil {
			return nil, err
		}
		files = append(files, file{name: embeddedSource + name, data: data})
	}
	set, errs := layer(nil, files)
	return set, errs.asError()
})

// Default returns the embedded catalogue. It panics if the embedded files
// are broken, which the package's tests rule out.
func Default() *Set {
	set, err := loadDefault()
	if err != nil {
		panic("scenarios: embedded catalogue is broken:\n" + err.Error())
	}
	return set
}

// Load returns the embedded catalogue with the scenario files at paths
// layered over it. A path is a file, or a directory whose *.yaml files are
// read in name order (not recursively; names starting with a dot are
// skipped, which also skips the hidden entries of a Kubernetes ConfigMap
// mount). Empty paths are ignored, so Load() and Load("") give the embedded
// catalogue. A user entry replaces an embedded entry with the same pattern;
// two user files claiming the same pattern is an error. On any problem Load
// returns nil and *Errors with every problem of every file.
func Load(paths ...string) (*Set, error) {
	return build(readAll(paths))
}

// Validate checks the scenario files at paths exactly as Load would use them,
// for a "validate" command. It returns nil or *Errors.
func Validate(paths ...string) error {
	_, err := Load(paths...)
	return err
}

// file is the content of one scenario file.
type file struct {
	name string
	data []byte
}

// build layers files over the embedded catalogue; errs are problems already
// found while reading them.
func build(files []file, errs Errors) (*Set, error) {
	set, perrs := layer(Default(), files)
	errs = append(errs, perrs...)
	if len(errs) > 0 {
		return nil, errs.asError()
	}
	return set, nil
}

// layer parses files and lays their entries over base (which may be nil).
// The files may not claim a pattern twice among themselves.
func layer(base *Set, files []file) (*Set, Errors) {
	byPattern := make(map[string]*Entry)
	for _, e := range base.Entries() {
		byPattern[e.Pattern] = e
	}
	claimed := make(map[string]*Entry)
	var errs Errors
	for _, f := range files {
		entries, ferrs := parseFile(f.name, f.data)
		for _, e := range entries {
			if first, ok := claimed[e.Pattern]; ok {
				ferrs = append(ferrs, Error{File: e.Source, Line: e.Line, Col: e.Col,
					Msg: fmt.Sprintf("pattern %q is already defined at %s:%d:%d", e.Pattern, first.Source, first.Line, first.Col)})
				continue
			}
			claimed[e.Pattern] = e
			byPattern[e.Pattern] = e
		}
		sortErrors(ferrs)
		errs = append(errs, ferrs...)
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return newSet(slices.Collect(maps.Values(byPattern))), nil
}

// listFiles expands paths into the scenario files they name, in order and
// without repeats. Problems are reported with no position.
func listFiles(paths []string) ([]string, Errors) {
	var names []string
	var errs Errors
	seen := make(map[string]bool)
	add := func(name string) {
		if clean := filepath.Clean(name); !seen[clean] {
			seen[clean] = true
			names = append(names, name)
		}
	}
	for _, p := range paths {
		if p == "" {
			continue
		}
		info, err := os.Stat(p)
		if err != nil {
			errs = append(errs, Error{File: p, Msg: errorText(err)})
			continue
		}
		if !info.IsDir() {
			add(p)
			continue
		}
		dir, err := os.ReadDir(p) // sorted by name
		if err != nil {
			errs = append(errs, Error{File: p, Msg: errorText(err)})
			continue
		}
		for _, d := range dir {
			if name := d.Name(); !d.IsDir() && !strings.HasPrefix(name, ".") && strings.HasSuffix(name, ".yaml") {
				add(filepath.Join(p, name))
			}
		}
	}
	return names, errs
}

// readAll reads the scenario files that paths name.
func readAll(paths []string) ([]file, Errors) {
	names, errs := listFiles(paths)
	files := make([]file, 0, len(names))
	for _, name := range names {
		data, err := os.ReadFile(name)
		if err != nil {
			errs = append(errs, Error{File: name, Msg: "cannot read: " + errorText(err)})
			continue
		}
		files = append(files, file{name: name, data: data})
	}
	return files, errs
}

// errorText drops the operation and path that a *fs.PathError repeats, since
// Error already names the file.
func errorText(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// Watch polls paths every interval and, after a change has settled, calls
// onChange with a fresh Set, or with nil and the *Errors of a bad edit (the
// caller should keep serving its last good Set). It returns when ctx is done.
//
// Each poll stats the files (name, size and modification time, and the list
// of *.yaml names of each directory). A change counts once the stat has
// stayed the same for one more interval, so an editor's multi-step save is
// read whole; it is reported only if the content hash differs from the last
// one read, so a touch alone is not. A change is thus seen within two
// intervals. Call Watch after Load: changes made before it starts are not
// reported. onChange runs on Watch's goroutine. An interval <= 0 means 250ms.
func Watch(ctx context.Context, paths []string, interval time.Duration, onChange func(*Set, error)) {
	newWatcher(paths).run(ctx, interval, onChange)
}

// watcher is the state of Watch between polls.
type watcher struct {
	paths    []string
	stat     uint64 // statHash at the last poll
	content  uint64 // contentHash of the last files read
	settling bool   // stat changed at the last poll
}

// newWatcher takes the baseline that later polls compare against.
func newWatcher(paths []string) *watcher {
	return &watcher{paths: paths, stat: statHash(paths), content: contentHash(readAll(paths))}
}

func (w *watcher) run(ctx context.Context, interval time.Duration, onChange func(*Set, error)) {
	if interval <= 0 {
		interval = 250 * time.Millisecond
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if s := statHash(w.paths); s != w.stat {
			w.stat, w.settling = s, true
			continue
		}
		if !w.settling {
			continue
		}
		w.settling = false
		files, errs := readAll(w.paths)
		if c := contentHash(files, errs); c != w.content {
			w.content = c
			onChange(build(files, errs))
		}
	}
}

// statHash hashes what a cheap poll can see of the files paths name.
func statHash(paths []string) uint64 {
	h := newHasher()
	names, errs := listFiles(paths)
	for _, name := range names {
		h.str(name)
		if info, err := os.Stat(name); err != nil {
			h.str(err.Error())
		} else {
			h.int(int(info.Size()))
			h.int(int(info.ModTime().UnixNano()))
		}
	}
	h.str(errs.Error())
	return h.sum()
}

// contentHash hashes what readAll read.
func contentHash(files []file, errs Errors) uint64 {
	h := newHasher()
	for _, f := range files {
		h.str(f.name)
		h.bytes(f.data)
	}
	h.str(errs.Error())
	return h.sum()
}
