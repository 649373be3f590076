package hosttest

import (
	"time"

	"github.com/tetratelabs/wazero/api"
)

// proxySetEffectiveContext(id): later host calls act on that context;
// unknown ids are BAD_ARGUMENT.
func (vm *VM) proxySetEffectiveContext(_ api.Module, s []uint64) {
	id := arg(s, 0)
	if id != vm.rootID && vm.streams[id] == nil {
		ret(s, statusBadArgument)
		return
	}
	vm.effective = id
	ret(s, statusOK)
}

// proxyDone is only meaningful for a root context pending shutdown, which
// this host never asks for.
func (vm *VM) proxyDone(_ api.Module, s []uint64) { ret(s, statusNotFound) }

// proxySetTickPeriod(period_ms) succeeds; no timer fires here, so
// proxy_on_tick is never called (ENVOY.md §15).
func (vm *VM) proxySetTickPeriod(_ api.Module, s []uint64) { ret(s, statusOK) }

// proxyGetCurrentTime(time_ptr) is the system time, as in Envoy.
func (vm *VM) proxyGetCurrentTime(mod api.Module, s []uint64) {
	writeU64(mod, arg(s, 0), uint64(time.Now().UnixNano()))
	ret(s, statusOK)
}

// proxyGetStatus(code_ptr, msg_ptr_ptr, msg_size_ptr) reports the status of
// the last http_call (Envoy: 9 "reset" after a failure).
func (vm *VM) proxyGetStatus(mod api.Module, s []uint64) {
	writeU32(mod, arg(s, 0), vm.status.code)
	ret(s, vm.copyOut(mod, []byte(vm.status.msg), arg(s, 1), arg(s, 2)))
}

// proxyCallForeignFunction: Envoy registers no foreign functions for HTTP
// filters by default.
func (vm *VM) proxyCallForeignFunction(_ api.Module, s []uint64) { ret(s, statusNotFound) }

// proxyGrpcUnavailable answers every grpc_* call: no gRPC service is
// configured, which Envoy reports as BAD_ARGUMENT.
func (vm *VM) proxyGrpcUnavailable(_ api.Module, s []uint64) { ret(s, statusBadArgument) }

func (vm *VM) pthreadEqual(_ api.Module, s []uint64) {
	if arg(s, 0) == arg(s, 1) {
		s[0] = 1
	} else {
		s[0] = 0
	}
}

func (vm *VM) emscriptenNotifyMemoryGrowth(api.Module, []uint64) {}
