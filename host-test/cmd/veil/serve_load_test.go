package main

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/veilproxy/veil/host-test/testmodule"
)

// loadClients is how many clients send at once.
const loadClients = 32

// loadFigures summarizes one load run.
type loadFigures struct {
	requests, errors, leaks int
	elapsed                 time.Duration
	latencies               []time.Duration
}

func (f *loadFigures) quantile(q float64) time.Duration {
	if len(f.latencies) == 0 {
		return 0
	}
	return f.latencies[min(len(f.latencies)-1, int(q*float64(len(f.latencies))))]
}

func (f *loadFigures) perSecond() float64 { return float64(f.requests) / f.elapsed.Seconds() }

// drive sends n POSTs of planted customer-api requests to base+"/echo/load"
// from loadClients clients, each request bounded by a client timeout, and
// counts failed requests and responses holding a planted value (checked
// only when checkLeaks: the upstream alone echoes them).
func drive(base string, n int, checkLeaks bool) *loadFigures {
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: loadClients}}
	defer client.CloseIdleConnections()
	jobs := make(chan int)
	var mu sync.Mutex
	f := &loadFigures{requests: n}
	var wg sync.WaitGroup
	start := time.Now()
	for range loadClients {
		wg.Go(func() {
			for i := range jobs {
				body, planted := plantedRequest(i)
				t0 := time.Now()
				resp, err := client.Post(base+"/echo/load", "application/json", bytes.NewReader(body))
				var got []byte
				if err == nil {
					got, err = io.ReadAll(resp.Body)
					resp.Body.Close()
					if err == nil && resp.StatusCode != http.StatusOK {
						err = fmt.Errorf("status %d", resp.StatusCode)
					}
				}
				d := time.Since(t0)
				leaked := checkLeaks && slices.ContainsFunc(planted, func(v string) bool { return bytes.Contains(got, []byte(v)) })
				mu.Lock()
				f.latencies = append(f.latencies, d)
				if err != nil {
					f.errors++
				}
				if leaked {
					f.leaks++
				}
				mu.Unlock()
			}
		})
	}
	for i := range n {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	f.elapsed = time.Since(start)
	slices.Sort(f.latencies)
	return f
}

// serveLoad drives n requests through veil serve (customer-api rules,
// GOMAXPROCS workers) in front of the demo upstream, after the same load on
// the upstream alone, and checks zero errors, zero leaked values and that
// the metrics, summed over the workers, counted every body.
func serveLoad(t *testing.T, n int) {
	root, err := testmodule.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	upstream := httptest.NewServer(demoUpstream(filepath.Join(root, "examples")))
	defer upstream.Close()
	proxy, admin, logs := testServe(t, serveConfig{rulesFile: exampleRules(t, "customer-api"), upstream: upstream.URL, workers: max(2, defaultWorkers())})
	drive(proxy, loadClients, true) // warm-up: connections and every worker's VM
	alone := drive(upstream.URL, n, false)
	through := drive(proxy, n, true)
	if through.errors != 0 || through.leaks != 0 || alone.errors != 0 {
		t.Errorf("through serve: %d errors, %d responses leaking a planted value; upstream alone: %d errors", through.errors, through.leaks, alone.errors)
	}
	_, stats := get(t, admin+"/stats")
	want := fmt.Sprintf("wasmcustom.veil.bodies_inspected.rule_set.customer-api.direction.request: %d\n", n+loadClients)
	if !bytes.Contains(stats, []byte(want)) {
		t.Errorf("/stats lacks %q", want)
	}
	if lines := strings.Count(logs.String(), "POST /echo/load 200 "); lines != n+loadClients {
		t.Errorf("%d access-log lines, want %d", lines, n+loadClients)
	}
	t.Logf("serve load: %d requests, %d clients, %d workers", n, loadClients, max(2, defaultWorkers()))
	t.Logf("serve load: upstream alone: %.0f req/s, p50 %s, p99 %s", alone.perSecond(), alone.quantile(0.5), alone.quantile(0.99))
	t.Logf("serve load: through serve:  %.0f req/s, p50 %s, p99 %s", through.perSecond(), through.quantile(0.5), through.quantile(0.99))
	t.Logf("serve load: added by serve: p50 %s, p99 %s", through.quantile(0.5)-alone.quantile(0.5), through.quantile(0.99)-alone.quantile(0.99))
}

// TestServeLoad is the everyday load test: 500 requests at 32 clients.
func TestServeLoad(t *testing.T) { serveLoad(t, 500) }

// TestLongServeLoad is issue 16's load test: 10,000 requests at 32 clients
// (make load prints its figures).
func TestLongServeLoad(t *testing.T) { serveLoad(t, 10000) }
