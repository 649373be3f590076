package main

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
)

// demoUpstream is the upstream of `veil serve --demo`: any path under
// /echo/ answers 200 with the request body it received and its
// content-type; /examples/NAME answers examples/NAME's response.json
// (application/json) or response.sse (text/event-stream, flushed event by
// event); / lists the examples. The examples are read from dir (default
// "examples", the repository's, so `make run` works from the repository
// root), at each request.
func demoUpstream(dir string) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/echo/", func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if ct := r.Header.Get("content-type"); ct != "" {
			w.Header().Set("content-type", ct)
		}
		w.Write(body)
	})
	mux.HandleFunc("GET /examples/{name}", func(w http.ResponseWriter, r *http.Request) {
		name := r.PathValue("name")
		if name == "" || strings.ContainsAny(name, `/\`) || strings.HasPrefix(name, ".") {
			http.NotFound(w, r)
			return
		}
		if b, err := os.ReadFile(filepath.Join(dir, name, "response.json")); err == nil {
			w.Header().Set("content-type", "application/json")
			w.Write(b)
			return
		}
		b, err := os.ReadFile(filepath.Join(dir, name, "response.sse"))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("content-type", "text/event-stream")
		w.Header().Set("cache-control", "no-cache")
		f, _ := w.(http.Flusher)
		for event := range strings.SplitAfterSeq(string(b), "\n\n") {
			io.WriteString(w, event)
			if f != nil {
				f.Flush()
			}
		}
	})
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, _ *http.Request) {
		io.WriteString(w, "veil demo upstream: POST /echo/<anything> echoes the body; GET /examples/<name>:\n")
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			for _, f := range []string{"response.json", "response.sse"} {
				if _, err := os.Stat(filepath.Join(dir, e.Name(), f)); err == nil {
					io.WriteString(w, "  /examples/"+e.Name()+"\n")
					break
				}
			}
		}
	})
	return mux
}
