package scenarios

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/moneykit-mock/moneykit-mock/fixtures"
)

// embedded holds the default catalogue that every Set starts from.
//
//go:embed *.yaml
var embedded embed.FS

// embeddedSource prefixes the Source of embedded entries and personas.
const embeddedSource = "embedded:"

var loadDefault = sync.OnceValues(func() (*Set, error) {
	names, err := fs.Glob(embedded, "*.yaml") // sorted
	if err != nil {
		return nil, err
	}
	in := inputs{fixtures: []file{{name: embeddedSource + "personas.yaml", data: fixtures.DefaultPersonas()}}}
	for _, name := range names {
		data, err := embedded.ReadFile(name)
		if err != nil {
			return nil, err
		}
		in.scenarios = append(in.scenarios, file{name: embeddedSource + name, data: data})
	}
	set, errs := layer(nil, in)
	return set, errs.asError()
})

// Default returns the embedded catalogue and personas. It panics if the
// embedded files are broken, which the package's tests rule out.
func Default() *Set {
	set, err := loadDefault()
	if err != nil {
		panic("scenarios: embedded catalogue is broken:\n" + err.Error())
	}
	return set
}

// Sources names the files a Set is built from. Each path is a file, or a
// directory whose *.yaml files are read in name order (not recursively;
// names starting with a dot are skipped, which also skips the hidden entries
// of a Kubernetes ConfigMap mount). Empty paths are ignored. ScenarioFiles
// and FixtureFiles are files already in memory, for a caller without a file
// system (a Go test); they come after the files the paths name, in order,
// and are layered and checked exactly like them.
type Sources struct {
	Scenarios []string // scenario files: links
	Fixtures  []string // fixtures files: personas

	ScenarioFiles []File // in-memory scenario files, after Scenarios
	FixtureFiles  []File // in-memory fixtures files, after Fixtures
}

// File is a scenario or fixtures file held in memory. Name stands for its
// path: error messages cite it (as Name:line:col) and so does the Source of
// its entries and personas.
type File struct {
	Name string
	Data []byte
}

// Load returns the embedded catalogue and personas with the scenario files at
// paths layered over them; it is LoadWith(Sources{Scenarios: paths}). Load()
// and Load("") give the embedded Set.
func Load(paths ...string) (*Set, error) {
	return LoadWith(Sources{Scenarios: paths})
}

// LoadWith returns the embedded Set with the files of src layered over it.
// The fixtures files are layered over the embedded personas first, then the
// scenario files over the embedded catalogue, checking that each fixture
// names a persona of the result. A user persona or entry replaces an
// embedded one with the same name or pattern, silently; two user files
// defining the same persona or claiming the same pattern is an error. On any
// problem LoadWith returns nil and *Errors with every problem of every file:
// problems reading files, then the fixtures files' in order, then the
// scenario files'.
func LoadWith(src Sources) (*Set, error) {
	return build(read(src))
}

// Validate checks the scenario files at paths exactly as Load would use them,
// for a "validate" command. It returns nil or *Errors.
func Validate(paths ...string) error {
	return ValidateWith(Sources{Scenarios: paths})
}

// ValidateWith checks the files of src exactly as LoadWith would use them.
// It returns nil or *Errors.
func ValidateWith(src Sources) error {
	_, err := LoadWith(src)
	return err
}

// file is the content of one scenario or fixtures file.
type file struct {
	name string
	data []byte
}

// inputs are the files a Set is built from, with the problems met reading
// them.
type inputs struct {
	scenarios, fixtures []file
	errs                Errors
}

// read reads the files src names, and adds those it holds.
func read(src Sources) inputs {
	fx, errs := readAll(src.Fixtures)
	sc, serrs := readAll(src.Scenarios)
	for _, f := range src.FixtureFiles {
		if len(f.Data) > MaxFileBytes {
			errs = append(errs, Error{File: f.Name, Msg: tooBigError(int64(len(f.Data))).Error()})
			continue
		}
		fx = append(fx, file{name: f.Name, data: f.Data})
	}
	for _, f := range src.ScenarioFiles {
		if len(f.Data) > MaxFileBytes {
			serrs = append(serrs, Error{File: f.Name, Msg: tooBigError(int64(len(f.Data))).Error()})
			continue
		}
		sc = append(sc, file{name: f.Name, data: f.Data})
	}
	return inputs{scenarios: sc, fixtures: fx, errs: append(errs, serrs...)}
}

// build layers in over the embedded Set.
func build(in inputs) (*Set, error) {
	set, perrs := layer(Default(), in)
	errs := append(slices.Clip(in.errs), perrs...)
	if len(errs) > 0 {
		return nil, errs.asError()
	}
	return set, nil
}

// layer parses the files of in and lays their personas and entries over
// base (which may be nil). The files may not define a persona or claim a
// pattern twice among themselves, and every fixture must name a persona.
func layer(base *Set, in inputs) (*Set, Errors) {
	var errs Errors
	personas := make(map[string]*personaDef)
	if base != nil {
		maps.Copy(personas, base.personas)
	}
	defined := make(map[string]*personaDef)
	for _, f := range in.fixtures {
		defs, ferrs := parsePersonaFile(f.name, f.data)
		for _, d := range defs {
			if first, ok := defined[d.name]; ok {
				ferrs = append(ferrs, Error{File: d.source, Line: d.line, Col: d.col,
					Msg: fmt.Sprintf("persona %q is already defined at %s:%d:%d", d.name, first.source, first.line, first.col)})
				continue
			}
			defined[d.name] = d
			personas[d.name] = d
		}
		sortErrors(ferrs)
		errs = append(errs, ferrs...)
	}
	known := "none"
	if len(personas) > 0 {
		known = strings.Join(slices.Sorted(maps.Keys(personas)), ", ")
	}

	byPattern := make(map[string]*Entry)
	for _, e := range base.Entries() {
		byPattern[e.Pattern] = e
	}
	claimed := make(map[string]*Entry)
	for _, f := range in.scenarios {
		entries, fixtureAt, ferrs := parseFile(f.name, f.data)
		for _, e := range entries {
			e.seal() // fresh from the parser: nobody else sees it yet
			if n := fixtureAt[e]; n != nil && personas[e.Fixture] == nil {
				ferrs = append(ferrs, Error{File: e.Source, Line: n.Line, Col: n.Column,
					Msg: fmt.Sprintf("fixture %q is not a persona (known: %s)", e.Fixture, known)})
			}
			if first, ok := claimed[e.Pattern]; ok {
				ferrs = append(ferrs, Error{File: e.Source, Line: e.Line, Col: e.Col,
					Msg: fmt.Sprintf("pattern %q is already defined at %s:%d:%d", e.Pattern, first.Source, first.Line, first.Col)})
				continue
			}
			claimed[e.Pattern] = e
			byPattern[e.Pattern] = e
		}
		sortErrors(ferrs)
		errs = append(errs, dedupe(ferrs)...) // entries aliasing one fixture share its problem
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return newSet(slices.Collect(maps.Values(byPattern)), personas), nil
}

// listFiles expands paths into the files they name, in order and
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

// readAll reads the files that paths name.
func readAll(paths []string) ([]file, Errors) {
	names, errs := listFiles(paths)
	files := make([]file, 0, len(names))
	for _, name := range names {
		data, err := readBounded(name)
		if err != nil {
			errs = append(errs, Error{File: name, Msg: err.Error()})
			continue
		}
		files = append(files, file{name: name, data: data})
	}
	return files, errs
}

// Bounds of what a scenario or fixtures file may hold. A file over
// MaxFileBytes is refused before it is parsed, by its size, and while it is
// read, should it grow; a links or personas mapping with more than
// MaxEntries keys is refused before any of them is parsed. Either way the
// whole load fails, so a reload keeps the last good set.
const (
	MaxFileBytes = 4 << 20
	MaxEntries   = 50_000
)

// tooBigError is the problem of a file over MaxFileBytes.
func tooBigError(size int64) error {
	return fmt.Errorf("the file is %d bytes, over the limit of %d (%d MiB) per scenario or fixtures file", size, MaxFileBytes, MaxFileBytes>>20)
}

// readBounded reads a file of at most MaxFileBytes.
func readBounded(name string) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, errors.New("cannot read: " + errorText(err))
	}
	defer f.Close()
	if info, err := f.Stat(); err == nil && info.Size() > MaxFileBytes {
		return nil, tooBigError(info.Size())
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxFileBytes+1))
	if err != nil {
		return nil, errors.New("cannot read: " + errorText(err))
	}
	if len(data) > MaxFileBytes {
		return nil, tooBigError(int64(len(data)))
	}
	return data, nil
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

// Watch is WatchSources for scenario files only: Sources{Scenarios: paths}.
func Watch(ctx context.Context, paths []string, interval time.Duration, onChange func(*Set, error)) {
	WatchSources(ctx, Sources{Scenarios: paths}, interval, onChange)
}

// WatchSources polls the files of src every interval and, after a change has
// settled, calls onChange with a fresh Set, as LoadWith builds it, or with nil
// and the *Errors of a bad edit (the caller should keep serving its last good
// Set). An edit of a fixtures file counts as much as one of a scenario file.
// The in-memory files of src never change; each fresh Set has them too.
// It returns when ctx is done.
//
// Each poll stats the files (name, size and modification time, and the list
// of *.yaml names of each directory). A change counts once the stat has
// stayed the same for one more interval, so an editor's multi-step save is
// read whole; it is reported only if the content hash differs from the last
// one read, so a touch alone is not. A change is thus seen within two
// intervals. Call WatchSources after LoadWith: changes made before it starts
// are not reported. onChange runs on WatchSources's goroutine. An interval
// <= 0 means 250ms.
func WatchSources(ctx context.Context, src Sources, interval time.Duration, onChange func(*Set, error)) {
	newWatcher(src).run(ctx, interval, onChange)
}

// watcher is the state of WatchSources between polls.
type watcher struct {
	src      Sources
	stat     uint64 // statHash at the last poll
	content  uint64 // contentHash of the last files read
	settling bool   // stat changed at the last poll
}

// newWatcher takes the baseline that later polls compare against.
func newWatcher(src Sources) *watcher {
	return &watcher{src: src, stat: statHash(src), content: contentHash(read(src))}
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
		if s := statHash(w.src); s != w.stat {
			w.stat, w.settling = s, true
			continue
		}
		if !w.settling {
			continue
		}
		w.settling = false
		in := read(w.src)
		if c := contentHash(in); c != w.content {
			w.content = c
			onChange(build(in))
		}
	}
}

// statHash hashes what a cheap poll can see of the files src names.
func statHash(src Sources) uint64 {
	h := newHasher()
	for _, paths := range [][]string{src.Fixtures, src.Scenarios} {
		names, errs := listFiles(paths)
		h.int(len(names))
		for _, name := range names {
			h.str(name)
			if info, err := os.Stat(name); err != nil {
				h.str(err.Error())
			} else {
				h.int(int(info.Size()))
				h.int(int(info.ModTime().UnixNano()))
				h.int(int(info.Mode())) // chmod changes neither size nor mtime: a file made readable again is reread
			}
		}
		h.str(errs.Error())
	}
	return h.sum()
}

// contentHash hashes what read read.
func contentHash(in inputs) uint64 {
	h := newHasher()
	for _, files := range [][]file{in.fixtures, in.scenarios} {
		h.int(len(files))
		for _, f := range files {
			h.str(f.name)
			h.bytes(f.data)
		}
	}
	h.str(in.errs.Error())
	return h.sum()
}
