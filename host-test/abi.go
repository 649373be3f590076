package hosttest

import (
	"errors"
	"sort"
	"strings"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
)

// abiVersion is the proxy-wasm ABI a module declares by exporting
// proxy_abi_version_<v>.
type abiVersion string

const (
	abi020 abiVersion = "0_2_0"
	abi021 abiVersion = "0_2_1"
)

// sig parses a compact signature: "iiI:i" is (i32, i32, i64) -> i32.
type sig string

func (s sig) types() (params, results []api.ValueType) {
	p, r, _ := strings.Cut(string(s), ":")
	conv := func(s string) []api.ValueType {
		out := []api.ValueType{}
		for _, c := range s {
			if c == 'I' {
				out = append(out, api.ValueTypeI64)
			} else {
				out = append(out, api.ValueTypeI32)
			}
		}
		return out
	}
	return conv(p), conv(r)
}

func sigOf(params, results []api.ValueType) sig {
	conv := func(ts []api.ValueType) string {
		var b strings.Builder
		for _, t := range ts {
			switch t {
			case api.ValueTypeI32:
				b.WriteByte('i')
			case api.ValueTypeI64:
				b.WriteByte('I')
			default:
				b.WriteString(api.ValueTypeName(t))
			}
		}
		return b.String()
	}
	return sig(conv(params) + ":" + conv(results))
}

// envSigs are the env functions Envoy registers for ABI 0.2.x (cpp-host
// src/wasm.cc registerCallbacks) with their signatures.
var envSigs = map[string]sig{
	"proxy_log":                          "iii:i",
	"proxy_get_status":                   "iii:i",
	"proxy_set_property":                 "iiii:i",
	"proxy_get_property":                 "iiii:i",
	"proxy_send_local_response":          "iiiiiiii:i",
	"proxy_get_shared_data":              "iiiii:i",
	"proxy_set_shared_data":              "iiiii:i",
	"proxy_register_shared_queue":        "iii:i",
	"proxy_resolve_shared_queue":         "iiiii:i",
	"proxy_dequeue_shared_queue":         "iii:i",
	"proxy_enqueue_shared_queue":         "iii:i",
	"proxy_get_header_map_value":         "iiiii:i",
	"proxy_add_header_map_value":         "iiiii:i",
	"proxy_replace_header_map_value":     "iiiii:i",
	"proxy_remove_header_map_value":      "iii:i",
	"proxy_get_header_map_pairs":         "iii:i",
	"proxy_set_header_map_pairs":         "iii:i",
	"proxy_get_header_map_size":          "ii:i",
	"proxy_get_buffer_status":            "iii:i",
	"proxy_get_buffer_bytes":             "iiiii:i",
	"proxy_set_buffer_bytes":             "iiiii:i",
	"proxy_http_call":                    "iiiiiiiiii:i",
	"proxy_grpc_call":                    "iiiiiiiiiiii:i",
	"proxy_grpc_stream":                  "iiiiiiiii:i",
	"proxy_grpc_close":                   "i:i",
	"proxy_grpc_cancel":                  "i:i",
	"proxy_grpc_send":                    "iiii:i",
	"proxy_set_tick_period_milliseconds": "i:i",
	"proxy_get_current_time_nanoseconds": "i:i",
	"proxy_define_metric":                "iiii:i",
	"proxy_increment_metric":             "iI:i",
	"proxy_record_metric":                "iI:i",
	"proxy_get_metric":                   "ii:i",
	"proxy_set_effective_context":        "i:i",
	"proxy_done":                         ":i",
	"proxy_call_foreign_function":        "iiiiii:i",
	"proxy_continue_stream":              "i:i",
	"proxy_close_stream":                 "i:i",
	"pthread_equal":                      "ii:i",
	"emscripten_notify_memory_growth":    "i:",
}

// envSigs021 are added for modules declaring ABI 0.2.1.
var envSigs021 = map[string]sig{"proxy_get_log_level": "i:i"}

// wasiSigs are the preview1 signatures.
var wasiSigs = map[string]sig{
	"args_get": "ii:i", "args_sizes_get": "ii:i",
	"environ_get": "ii:i", "environ_sizes_get": "ii:i",
	"clock_res_get": "ii:i", "clock_time_get": "iIi:i",
	"fd_advise": "iIIi:i", "fd_allocate": "iII:i", "fd_close": "i:i",
	"fd_datasync": "i:i", "fd_fdstat_get": "ii:i", "fd_fdstat_set_flags": "ii:i",
	"fd_fdstat_set_rights": "iII:i", "fd_filestat_get": "ii:i",
	"fd_filestat_set_size": "iI:i", "fd_filestat_set_times": "iIIi:i",
	"fd_pread": "iiiIi:i", "fd_prestat_get": "ii:i", "fd_prestat_dir_name": "iii:i",
	"fd_pwrite": "iiiIi:i", "fd_read": "iiii:i", "fd_readdir": "iiiIi:i",
	"fd_renumber": "ii:i", "fd_seek": "iIii:i", "fd_sync": "i:i", "fd_tell": "ii:i",
	"fd_write": "iiii:i", "path_create_directory": "iii:i",
	"path_filestat_get": "iiiii:i", "path_filestat_set_times": "iiiiIIi:i",
	"path_link": "iiiiiii:i", "path_open": "iiiiiIIii:i", "path_readlink": "iiiiii:i",
	"path_remove_directory": "iii:i", "path_rename": "iiiiii:i", "path_symlink": "iiiii:i",
	"path_unlink_file": "iii:i", "poll_oneoff": "iiii:i", "proc_exit": "i:",
	"random_get": "ii:i", "sched_yield": ":i", "sock_accept": "iii:i",
	"sock_recv": "iiiiii:i", "sock_send": "iiiii:i", "sock_shutdown": "ii:i",
}

// exportSigs are the guest callbacks the host looks up, with the signature
// Envoy requires ("Bad function signature for: …" otherwise).
var exportSigs = map[string]sig{
	"_initialize": ":", "_start": ":",
	"malloc": "i:i", "proxy_on_memory_allocate": "i:i",
	"proxy_on_context_create": "ii:", "proxy_on_vm_start": "ii:i",
	"proxy_on_configure": "ii:i", "proxy_on_tick": "i:", "proxy_on_done": "i:i",
	"proxy_on_log": "i:", "proxy_on_delete": "i:",
	"proxy_on_request_headers": "iii:i", "proxy_on_request_body": "iii:i",
	"proxy_on_request_trailers": "ii:i", "proxy_on_response_headers": "iii:i",
	"proxy_on_response_body": "iii:i", "proxy_on_response_trailers": "ii:i",
	"proxy_on_http_call_response": "iiiii:", "proxy_on_queue_ready": "ii:",
}

// LoadError is a module Envoy would refuse to load. Its message uses
// Envoy's wording, one line per problem.
type LoadError struct {
	// Missing lists imports the profile lacks, as "module.name".
	Missing []string
	// Mismatched lists imports whose signature differs from the host's.
	Mismatched []string
}

// Error returns one line per problem in Envoy's wording.
func (e *LoadError) Error() string {
	var lines []string
	for _, m := range e.Missing {
		lines = append(lines, "Failed to load Wasm module due to a missing import: "+m)
	}
	for _, m := range e.Mismatched {
		lines = append(lines, "Failed to load Wasm module due to an import type mismatch: "+m)
	}
	return strings.Join(lines, "\n")
}

func checkABI(c wazero.CompiledModule) (abiVersion, error) {
	ex := c.ExportedFunctions()
	for _, v := range []abiVersion{abi021, abi020} {
		if _, ok := ex["proxy_abi_version_"+string(v)]; ok {
			return v, nil
		}
	}
	if _, ok := ex["proxy_abi_version_0_1_0"]; ok {
		return "", errors.New("Missing or unknown Proxy-Wasm ABI version: host-test supports 0.2.0 and 0.2.1, the module declares 0.1.0")
	}
	return "", errors.New("Missing or unknown Proxy-Wasm ABI version")
}

// checkImports refuses, before anything runs, a module importing a function
// the profile's Envoy does not provide, listing every one.
func checkImports(c wazero.CompiledModule, p Profile, abi abiVersion) error {
	e := &LoadError{}
	for _, f := range c.ImportedFunctions() {
		mod, name, _ := f.Import()
		want, ok := sig(""), false
		switch mod {
		case wasiModule, wasiUnstable:
			if profiles[p].wasi[name] {
				want, ok = wasiSigs[name]
			}
		case envModule:
			want, ok = envSigs[name]
			if !ok && abi == abi021 {
				want, ok = envSigs021[name]
			}
		}
		full := mod + "." + name
		switch {
		case !ok:
			e.Missing = append(e.Missing, full)
		case sigOf(f.ParamTypes(), f.ResultTypes()) != want:
			e.Mismatched = append(e.Mismatched, full)
		}
	}
	for _, mem := range c.ImportedMemories() {
		mod, name, _ := mem.Import()
		e.Missing = append(e.Missing, mod+"."+name)
	}
	if len(e.Missing)+len(e.Mismatched) == 0 {
		return nil
	}
	e.Missing, e.Mismatched = sortedUnique(e.Missing), sortedUnique(e.Mismatched)
	return e
}

func checkExports(c wazero.CompiledModule) error {
	for name, f := range c.ExportedFunctions() {
		want, ok := exportSigs[name]
		if ok && sigOf(f.ParamTypes(), f.ResultTypes()) != want {
			return errors.New("Bad function signature for: " + name)
		}
	}
	return nil
}

func allocator(c wazero.CompiledModule) (string, error) {
	ex := c.ExportedFunctions()
	for _, n := range []string{"malloc", "proxy_on_memory_allocate"} {
		if _, ok := ex[n]; ok {
			return n, nil
		}
	}
	return "", errors.New("Wasm module is missing malloc function.")
}

func sortedUnique(s []string) []string {
	sort.Strings(s)
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}
