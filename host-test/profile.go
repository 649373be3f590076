package hosttest

// wasiModule is the WASI preview1 module name; Envoy registers the same
// functions under wasi_unstable too.
const (
	wasiModule   = "wasi_snapshot_preview1"
	wasiUnstable = "wasi_unstable"
	envModule    = "env"
)

// wasi115 is the set of Envoy ≤ 1.32 (cpp-host ≤ 483ecfd).
var wasi115 = []string{
	"fd_write", "fd_read", "fd_seek", "fd_close", "fd_fdstat_get",
	"environ_get", "environ_sizes_get", "args_get", "args_sizes_get",
	"clock_time_get", "random_get", "proc_exit", "path_open",
	"fd_prestat_get", "fd_prestat_dir_name",
}

// wasi133Extra is what cpp-host c4d7bb0 (PR #427, Envoy 1.33) added.
var wasi133Extra = []string{"fd_fdstat_set_flags", "sched_yield", "poll_oneoff"}

// wasi139Extra is what cpp-host 94091cd (PR #533, Envoy 1.39) added.
var wasi139Extra = []string{
	"fd_fdstat_set_rights", "clock_res_get", "fd_advise", "fd_allocate",
	"fd_datasync", "fd_filestat_get", "fd_filestat_set_size",
	"fd_filestat_set_times", "fd_pread", "fd_pwrite", "fd_readdir",
	"fd_renumber", "fd_sync", "fd_tell", "path_create_directory",
	"path_filestat_get", "path_filestat_set_times", "path_link",
	"path_readlink", "path_remove_directory", "path_rename", "path_symlink",
	"path_unlink_file", "sock_accept", "sock_recv", "sock_send",
	"sock_shutdown",
}

// startAllowed133 is the cpp-host start-time allow-list (src/wasm.cc
// startVm) for Envoy 1.33–1.38.
var startAllowed133 = []string{
	"env.proxy_log", "env.emscripten_notify_memory_growth",
	"fd_write", "args_sizes_get", "args_get", "environ_sizes_get",
	"environ_get", "fd_prestat_get", "fd_prestat_dir_name",
	"clock_time_get", "random_get", "fd_fdstat_get", "fd_fdstat_set_flags",
}

// allocAllowed133 is the allow-list inside the allocator (include/proxy-wasm/wasm.h allocMemory).
var allocAllowed133 = []string{"env.proxy_log", "fd_write", "clock_time_get"}

// profileSpec is everything that differs between profiles.
type profileSpec struct {
	wasi         map[string]bool // provided WASI functions
	startAllowed map[string]bool // "name" for WASI, "env.name" for env
	allocAllowed map[string]bool
}

func set(lists ...[]string) map[string]bool {
	m := map[string]bool{}
	for _, l := range lists {
		for _, s := range l {
			m[s] = true
		}
	}
	return m
}

var profiles = map[Profile]profileSpec{
	Envoy133: {
		wasi:         set(wasi115, wasi133Extra),
		startAllowed: set(startAllowed133),
		allocAllowed: set(allocAllowed133),
	},
	Envoy139: {
		wasi:         set(wasi115, wasi133Extra, wasi139Extra),
		startAllowed: set(startAllowed133, []string{"poll_oneoff"}, wasi139Extra),
		allocAllowed: set(allocAllowed133, []string{"poll_oneoff"}),
	},
}
