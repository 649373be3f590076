package hosttest

import (
	"encoding/binary"

	"github.com/tetratelabs/wazero/api"
)

// status is proxy_status_t.
type status uint32

const (
	statusOK                  status = 0
	statusNotFound            status = 1
	statusBadArgument         status = 2
	statusSerializationFail   status = 3
	statusInvalidMemoryAccess status = 6
	statusEmpty               status = 7
	statusCasMismatch         status = 8
	statusUnimplemented       status = 12
)

// arg returns the i-th argument masked to 32 bits: wazero may hand a host
// function garbage in the upper half of an i32 slot.
func arg(stack []uint64, i int) uint32 { return uint32(stack[i]) }

// ret stores an i32 result.
func ret(stack []uint64, s status) { stack[0] = uint64(s) }

// read copies len bytes of guest memory at ptr. ok is false when the range
// is out of bounds.
func read(mod api.Module, ptr, n uint32) ([]byte, bool) {
	b, ok := view(mod, ptr, n)
	if len(b) == 0 {
		return nil, ok
	}
	return append([]byte(nil), b...), true
}

// view is read without the copy: the bytes stay guest memory, valid until
// the guest runs again.
func view(mod api.Module, ptr, n uint32) ([]byte, bool) {
	if n == 0 {
		return nil, true
	}
	return mod.Memory().Read(ptr, n)
}

func readString(mod api.Module, ptr, n uint32) (string, bool) {
	b, ok := read(mod, ptr, n)
	return string(b), ok
}

func writeU32(mod api.Module, ptr, v uint32) bool { return mod.Memory().WriteUint32Le(ptr, v) }

func writeU64(mod api.Module, ptr uint32, v uint64) bool {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], v)
	return mod.Memory().Write(ptr, b[:])
}

// copyOut hands data to the guest the way cpp-host's copyToPointerSize does:
// allocate with the guest's allocator, copy, store pointer and size in the
// out-params. Empty data never allocates: pointer 0, size 0.
func (vm *VM) copyOut(mod api.Module, data []byte, ptrPtr, sizePtr uint32) status {
	var ptr uint32
	if len(data) > 0 {
		ptr = vm.allocate(len(data))
		if !mod.Memory().Write(ptr, data) {
			return statusInvalidMemoryAccess
		}
	}
	if !writeU32(mod, ptrPtr, ptr) || !writeU32(mod, sizePtr, uint32(len(data))) {
		return statusInvalidMemoryAccess
	}
	return statusOK
}

// allocate calls the guest allocator (malloc or proxy_on_memory_allocate)
// under its allow-list. A trap inside it propagates as a trap of the host
// call that needed the memory.
func (vm *VM) allocate(n int) uint32 {
	prev := vm.phase
	vm.phase = phaseAlloc
	defer func() { vm.phase = prev }()
	f, release := vm.export(vm.m.alloc)
	res, err := f.Call(vm.ctx, uint64(n))
	release()
	if err != nil {
		panic(err)
	}
	return uint32(res[0])
}
