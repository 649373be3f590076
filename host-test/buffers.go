package hosttest

import "github.com/tetratelabs/wazero/api"

// bufferType is proxy_buffer_type_t.
type bufferType uint32

const (
	bufRequestBody bufferType = iota
	bufResponseBody
	bufDownstreamData
	bufUpstreamData
	bufHTTPCallResponseBody
	bufGrpcReceive
	bufVMConfiguration
	bufPluginConfiguration
	bufForeignFunctionArguments
)

// buffer returns the buffer a host call addresses in the current callback
// and whether it may be written, or the status Envoy answers instead:
// BAD_ARGUMENT for an unknown type, NOT_FOUND when there is none here.
func (vm *VM) buffer(t bufferType) (b *[]byte, writable bool, st status) {
	if t > bufForeignFunctionArguments {
		return nil, false, statusBadArgument
	}
	switch t {
	case bufRequestBody, bufResponseBody:
		if s := vm.streams[vm.effective]; s != nil && s.body[t] != nil {
			return s.body[t], true, statusOK
		}
	case bufHTTPCallResponseBody:
		if r := vm.calls.current; r != nil {
			return &r.Body, false, statusOK
		}
	case bufVMConfiguration, bufPluginConfiguration:
		if c, ok := vm.config[t]; ok {
			return &c, false, statusOK
		}
	}
	return nil, false, statusNotFound
}

// proxyGetBufferStatus(type, length_ptr, flags_ptr).
func (vm *VM) proxyGetBufferStatus(mod api.Module, s []uint64) {
	b, _, st := vm.buffer(bufferType(arg(s, 0)))
	if st != statusOK {
		ret(s, st)
		return
	}
	writeU32(mod, arg(s, 1), uint32(len(*b)))
	writeU32(mod, arg(s, 2), 0)
	ret(s, statusOK)
}

// proxyGetBufferBytes(type, start, max, ptr_ptr, size_ptr): clamps to the
// end; nothing to return gives OK with pointer 0 and size 0.
func (vm *VM) proxyGetBufferBytes(mod api.Module, s []uint64) {
	start, n := uint64(arg(s, 1)), uint64(arg(s, 2))
	b, _, st := vm.buffer(bufferType(arg(s, 0)))
	if st != statusOK {
		ret(s, st)
		return
	}
	size := uint64(len(*b))
	if start >= size {
		ret(s, vm.copyOut(mod, nil, arg(s, 3), arg(s, 4)))
		return
	}
	end := min(start+n, size)
	ret(s, vm.copyOut(mod, (*b)[start:end], arg(s, 3), arg(s, 4)))
}

// proxySetBufferBytes(type, start, length, data, size) with Envoy's
// Buffer::copyFrom rules on HTTP bodies: start 0 drains length bytes then
// prepends (so (0,0) prepends and (0,≥size) replaces), start ≥ size
// appends, anything in between is BAD_ARGUMENT.
func (vm *VM) proxySetBufferBytes(mod api.Module, s []uint64) {
	t, start, n := bufferType(arg(s, 0)), uint64(arg(s, 1)), uint64(arg(s, 2))
	data, ok := view(mod, arg(s, 3), arg(s, 4)) // copied below, once
	if !ok {
		ret(s, statusInvalidMemoryAccess)
		return
	}
	b, writable, st := vm.buffer(t)
	switch {
	case st != statusOK:
		ret(s, st)
		return
	case !writable:
		ret(s, statusBadArgument)
		return
	}
	size := uint64(len(*b))
	switch {
	case start == 0:
		rest := (*b)[min(n, size):]
		*b = append(append(make([]byte, 0, len(data)+len(rest)), data...), rest...)
	case start >= size:
		*b = append((*b)[:size:size], data...) // never into memory the buffer shares
	default:
		ret(s, statusBadArgument)
		return
	}
	vm.streams[vm.effective].bodyWritten[t] = true
	ret(s, statusOK)
}
