package hosttest

import (
	"crypto/rand"
	"strings"
	"time"

	"github.com/tetratelabs/wazero/api"
)

// WASI errno values Envoy returns.
const (
	errnoSuccess = 0
	errnoBadf    = 8
	errnoFault   = 21
	errnoExist   = 20 // what cpp-host's fd_readdir literally returns (it means ENOTDIR)
	errnoInval   = 28
	errnoNoent   = 44
	errnoNosys   = 52
	errnoNotsup  = 58
)

func errno(stack []uint64, e uint32) { stack[0] = uint64(e) }

// isStdio reports fd 1 or 2, the only descriptors Envoy serves.
func isStdio(fd uint32) bool { return fd == 1 || fd == 2 }

// wasiFuncs implements wasi_snapshot_preview1 with Envoy's return values
// (ENVOY.md §2.2). Profiles decide which of these are linked.
var wasiFuncs = map[string]hostFn{
	"args_sizes_get": func(_ *VM, mod api.Module, s []uint64) {
		writeU32(mod, arg(s, 0), 0)
		writeU32(mod, arg(s, 1), 0)
		errno(s, errnoSuccess)
	},
	"args_get":          func(_ *VM, _ api.Module, s []uint64) { errno(s, errnoSuccess) },
	"environ_sizes_get": (*VM).environSizesGet,
	"environ_get":       (*VM).environGet,
	"clock_time_get":    (*VM).clockTimeGet,
	"clock_res_get": func(_ *VM, mod api.Module, s []uint64) {
		if id := arg(s, 0); id > 1 {
			errno(s, errnoNotsup)
			return
		}
		writeU64(mod, arg(s, 1), 1)
		errno(s, errnoSuccess)
	},
	"random_get": func(_ *VM, mod api.Module, s []uint64) {
		n := arg(s, 1)
		if n > 64<<10 {
			errno(s, errnoInval)
			return
		}
		b := make([]byte, n)
		_, _ = rand.Read(b)
		if n > 0 && !mod.Memory().Write(arg(s, 0), b) {
			errno(s, errnoFault)
			return
		}
		errno(s, errnoSuccess)
	},
	"fd_write": (*VM).fdWrite,
	"fd_pwrite": func(vm *VM, mod api.Module, s []uint64) {
		// (fd, iovs, iovs_len, offset i64, nwritten): like fd_write.
		t := []uint64{s[0], s[1], s[2], s[4]}
		vm.fdWrite(mod, t)
		s[0] = t[0]
	},
	"fd_read": nosys,
	"fd_seek": func(vm *VM, _ api.Module, s []uint64) {
		vm.log(LogError, "wasi_unstable fd_seek")
		errno(s, errnoSuccess)
	},
	"fd_close": func(vm *VM, _ api.Module, s []uint64) {
		vm.log(LogError, "wasi_unstable fd_close")
		errno(s, errnoSuccess)
	},
	"fd_fdstat_get": func(_ *VM, mod api.Module, s []uint64) {
		if !isStdio(arg(s, 0)) {
			errno(s, errnoBadf)
			return
		}
		var st [24]byte // filetype 0, flags 0, rights_base FD_WRITE (64), inheriting 0
		st[8] = 64
		mod.Memory().Write(arg(s, 1), st[:])
		errno(s, errnoSuccess)
	},
	"fd_fdstat_set_flags": nosys,
	"fd_prestat_get":      badf,
	"fd_prestat_dir_name": nosys,
	"path_open":           func(_ *VM, _ api.Module, s []uint64) { errno(s, errnoNoent) },
	"proc_exit": func(vm *VM, _ api.Module, _ []uint64) {
		// Envoy logs and returns; the guest typically hits unreachable next.
		vm.log(LogError, "wasi_unstable proc_exit")
	},
	"sched_yield": func(_ *VM, _ api.Module, s []uint64) { errno(s, errnoSuccess) },
	"poll_oneoff": (*VM).pollOneoff,

	// Envoy 1.39+ additions: stubs that let file and socket code link.
	"fd_fdstat_set_rights":  stdioOK,
	"fd_advise":             func(_ *VM, _ api.Module, s []uint64) { errno(s, errnoSuccess) },
	"fd_allocate":           stdioOK,
	"fd_datasync":           stdioOK,
	"fd_sync":               stdioOK,
	"fd_filestat_set_size":  stdioOK,
	"fd_filestat_set_times": stdioOK,
	"fd_filestat_get":       badf,
	"fd_pread":              nosys,
	"fd_readdir": func(_ *VM, mod api.Module, s []uint64) {
		writeU32(mod, arg(s, 4), 0)
		errno(s, errnoExist)
	},
	"fd_renumber": badf,
	"fd_tell": func(_ *VM, mod api.Module, s []uint64) {
		if !isStdio(arg(s, 0)) {
			errno(s, errnoBadf)
			return
		}
		writeU64(mod, arg(s, 1), 0)
		errno(s, errnoSuccess)
	},
	"path_create_directory":   notsup,
	"path_filestat_get":       notsup,
	"path_filestat_set_times": notsup,
	"path_link":               notsup,
	"path_readlink": func(_ *VM, mod api.Module, s []uint64) {
		writeU32(mod, arg(s, 5), 0)
		errno(s, errnoNotsup)
	},
	"path_remove_directory": notsup,
	"path_rename":           notsup,
	"path_symlink":          notsup,
	"path_unlink_file":      notsup,
	"sock_accept": func(_ *VM, mod api.Module, s []uint64) {
		writeU32(mod, arg(s, 2), 0)
		errno(s, errnoNotsup)
	},
	"sock_recv": func(_ *VM, mod api.Module, s []uint64) {
		writeU32(mod, arg(s, 4), 0)
		writeU32(mod, arg(s, 5), 0)
		errno(s, errnoNotsup)
	},
	"sock_send": func(_ *VM, mod api.Module, s []uint64) {
		writeU32(mod, arg(s, 4), 0)
		errno(s, errnoNotsup)
	},
	"sock_shutdown": notsup,
}

func nosys(_ *VM, _ api.Module, s []uint64)  { errno(s, errnoNosys) }
func badf(_ *VM, _ api.Module, s []uint64)   { errno(s, errnoBadf) }
func notsup(_ *VM, _ api.Module, s []uint64) { errno(s, errnoNotsup) }

func stdioOK(_ *VM, _ api.Module, s []uint64) {
	if isStdio(arg(s, 0)) {
		errno(s, errnoSuccess)
		return
	}
	errno(s, errnoBadf)
}

// fdWrite sends fd 1 to the log at info and fd 2 at error, one entry per
// call with the trailing newline stripped; other descriptors get EBADF.
func (vm *VM) fdWrite(mod api.Module, s []uint64) {
	fd, iovs, n, nwritten := arg(s, 0), arg(s, 1), arg(s, 2), arg(s, 3)
	if !isStdio(fd) {
		errno(s, errnoBadf)
		return
	}
	var b strings.Builder
	for i := uint32(0); i < n; i++ {
		ptr, ok1 := mod.Memory().ReadUint32Le(iovs + 8*i)
		l, ok2 := mod.Memory().ReadUint32Le(iovs + 8*i + 4)
		data, ok3 := read(mod, ptr, l)
		if !ok1 || !ok2 || !ok3 {
			errno(s, errnoFault)
			return
		}
		b.Write(data)
	}
	writeU32(mod, nwritten, uint32(b.Len()))
	level := LogInfo
	if fd == 2 {
		level = LogError
	}
	vm.log(level, strings.TrimSuffix(b.String(), "\n"))
	errno(s, errnoSuccess)
}

func (vm *VM) environSizesGet(mod api.Module, s []uint64) {
	size := 0
	for _, e := range vm.cfg.Env {
		size += len(e) + 1
	}
	writeU32(mod, arg(s, 0), uint32(len(vm.cfg.Env)))
	writeU32(mod, arg(s, 1), uint32(size))
	errno(s, errnoSuccess)
}

func (vm *VM) environGet(mod api.Module, s []uint64) {
	ptrs, buf := arg(s, 0), arg(s, 1)
	for i, e := range vm.cfg.Env {
		writeU32(mod, ptrs+4*uint32(i), buf)
		mod.Memory().Write(buf, append([]byte(e), 0))
		buf += uint32(len(e)) + 1
	}
	errno(s, errnoSuccess)
}

var monoStart = time.Now()

func (vm *VM) clockTimeGet(mod api.Module, s []uint64) {
	var ns uint64
	switch arg(s, 0) {
	case 0:
		ns = uint64(time.Now().UnixNano())
	case 1:
		ns = uint64(time.Since(monoStart).Nanoseconds()) + 1
	default:
		errno(s, errnoNotsup)
		return
	}
	writeU64(mod, arg(s, 2), ns)
	errno(s, errnoSuccess)
}

// pollOneoff is the difference that kills Go plugins on Envoy 1.33–1.38:
// there it answers ENOSYS without touching the out-params; 1.39+ report
// zero events and succeed.
func (vm *VM) pollOneoff(mod api.Module, s []uint64) {
	if vm.m.profile == Envoy133 {
		errno(s, errnoNosys)
		return
	}
	writeU32(mod, arg(s, 3), 0)
	errno(s, errnoSuccess)
}
