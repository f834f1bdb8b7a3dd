// Package ui is the mock's dashboard: plain HTML, CSS and JavaScript (ES
// modules, no build step, nothing fetched from elsewhere) embedded in the
// binary and served at /_mock/ui/. It is a client of the documented /_mock/
// API and the data API, nothing more: everything it shows or does, a test
// suite can do with curl.
package ui

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"
)

// Path is where the dashboard is served; its index is Path itself.
const Path = "/_mock/ui/"

//go:embed assets
var embedded embed.FS

// assets is the assets folder as the root.
var assets = func() fs.FS {
	sub, err := fs.Sub(embedded, "assets")
	if err != nil {
		panic(err) // a constant path into an embedded folder: cannot fail
	}
	return sub
}()

// Files returns the dashboard's files, for tests that measure or check them.
func Files() fs.FS { return assets }

// etags holds a strong validator for each file, made once: the files are fixed
// in the binary, so a browser revalidating them gets 304s.
var etags = func() map[string]string {
	m := map[string]string{}
	_ = fs.WalkDir(assets, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(assets, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		m[p] = `"` + hex.EncodeToString(sum[:8]) + `"`
		return nil
	})
	return m
}()

// contentSecurityPolicy lets the page load only its own files, and images
// from data: URLs (institution avatars are data:image/svg+xml).
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'"

// Handler serves the dashboard's files under Path (GET and HEAD; the router
// picks the methods). A path with no file, a folder included, goes to
// notFound, so it gets the API's JSON 404 like any other unknown path.
func Handler(notFound http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name, ok := strings.CutPrefix(r.URL.Path, Path)
		if !ok {
			notFound.ServeHTTP(w, r)
			return
		}
		if name == "" {
			name = "index.html"
		}
		name = path.Clean(name)
		tag, ok := etags[name]
		if !ok {
			notFound.ServeHTTP(w, r)
			return
		}
		f, err := assets.Open(name)
		if err != nil {
			notFound.ServeHTTP(w, r)
			return
		}
		defer f.Close()
		rs, ok := f.(io.ReadSeeker) // embed's files are
		if !ok {
			notFound.ServeHTTP(w, r)
			return
		}
		h := w.Header()
		h.Set("ETag", tag)
		h.Set("Cache-Control", "no-cache") // revalidate: a new binary may have new files
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		// embed files have no modification time; ServeContent then relies on
		// the ETag alone, and sets Content-Type from the extension.
		http.ServeContent(w, r, name, time.Time{}, rs)
	})
}
