package hosttest

import "github.com/tetratelabs/wazero/api"

// LogLevel is proxy-wasm's log level, TRACE 0 … CRITICAL 5.
type LogLevel uint32

// The log levels.
const (
	LogTrace LogLevel = iota
	LogDebug
	LogInfo
	LogWarn
	LogError
	LogCritical
)

var logLevelNames = [...]string{"trace", "debug", "info", "warn", "error", "critical"}

// String returns the level's lower-case name.
func (l LogLevel) String() string {
	if int(l) < len(logLevelNames) {
		return logLevelNames[l]
	}
	return "unknown"
}

// MarshalText encodes the level as its name.
func (l LogLevel) MarshalText() ([]byte, error) { return []byte(l.String()), nil }

// LogEntry is one message the guest logged through proxy_log, or one
// fd_write to stdout (info) or stderr (error).
type LogEntry struct {
	Level   LogLevel `json:"level"`
	Message string   `json:"message"`
}

func (vm *VM) log(level LogLevel, msg string) {
	if st := vm.streams[vm.effective]; st != nil && st.live {
		// Live streams interleave on the VM: each keeps its own logs.
		st.res.Logs = append(st.res.Logs, LogEntry{level, msg})
		return
	}
	vm.logs = append(vm.logs, LogEntry{level, msg})
}

// proxyLog(level, ptr, size): level above CRITICAL is BAD_ARGUMENT.
func (vm *VM) proxyLog(mod api.Module, s []uint64) {
	level := LogLevel(arg(s, 0))
	if level > LogCritical {
		ret(s, statusBadArgument)
		return
	}
	msg, ok := readString(mod, arg(s, 1), arg(s, 2))
	if !ok {
		ret(s, statusInvalidMemoryAccess)
		return
	}
	vm.log(level, msg)
	ret(s, statusOK)
}

// proxyGetLogLevel (ABI 0.2.1 only) reports Envoy's default wasm log level, info.
func (vm *VM) proxyGetLogLevel(mod api.Module, s []uint64) {
	writeU32(mod, arg(s, 0), uint32(LogInfo))
	ret(s, statusOK)
}
