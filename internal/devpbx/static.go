//go:build !js

package devpbx

import (
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// contentTypes fixes the types browsers are strict about: WebAssembly
// streaming compilation needs application/wasm and module scripts need a
// JavaScript type, whatever the system's MIME tables say.
var contentTypes = map[string]string{
	".wasm": "application/wasm",
	".js":   "text/javascript; charset=utf-8",
	".mjs":  "text/javascript; charset=utf-8",
	".cjs":  "text/javascript; charset=utf-8",
	".json": "application/json",
	".html": "text/html; charset=utf-8",
	".css":  "text/css; charset=utf-8",
	".map":  "application/json",
	".ts":   "text/plain; charset=utf-8",
}

// staticHandler serves the files of dir, never a dot file or anything under
// a dot directory, with the content types above and no caching (the module
// is rebuilt often during development).
func staticHandler(dir string) http.Handler {
	files := http.FileServer(http.Dir(dir))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		for _, seg := range strings.Split(r.URL.Path, "/") {
			if strings.HasPrefix(seg, ".") {
				http.NotFound(w, r)
				return
			}
		}
		if r.URL.Path == "/favicon.ico" {
			if _, err := os.Stat(filepath.Join(dir, "favicon.ico")); err != nil {
				w.WriteHeader(http.StatusNoContent) // no icon, and no 404 in the browser's console
				return
			}
		}
		if ct, ok := contentTypes[path.Ext(r.URL.Path)]; ok {
			w.Header().Set("Content-Type", ct)
		}
		w.Header().Set("Cache-Control", "no-cache")
		files.ServeHTTP(w, r)
	})
}
