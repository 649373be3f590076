package hosttest

import "github.com/tetratelabs/wazero/api"

// sharedValue is one shared-data entry with its compare-and-swap version.
type sharedValue struct {
	data []byte
	cas  uint32
}

// queue is a shared queue registered by a root context.
type queue struct {
	vmID, name string
	owner      *VM
	rootID     uint32
	items      [][]byte
}

func (st *store) sharedData(vmID, key string) ([]byte, bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	v, ok := st.shared[vmID][key]
	if !ok {
		return nil, false
	}
	return append([]byte(nil), v.data...), true
}

// proxyGetSharedData(key, key_len, value_ptr_ptr, value_size_ptr, cas_ptr).
func (vm *VM) proxyGetSharedData(mod api.Module, s []uint64) {
	key, ok := readString(mod, arg(s, 0), arg(s, 1))
	if !ok {
		ret(s, statusInvalidMemoryAccess)
		return
	}
	st := vm.m.store
	st.mu.Lock()
	v, found := st.shared[vm.cfg.VMID][key]
	var data []byte
	var cas uint32
	if found {
		data, cas = v.data, v.cas
	}
	st.mu.Unlock()
	if !found {
		ret(s, statusNotFound)
		return
	}
	if r := vm.copyOut(mod, data, arg(s, 2), arg(s, 3)); r != statusOK {
		ret(s, r)
		return
	}
	writeU32(mod, arg(s, 4), cas)
	ret(s, statusOK)
}

// proxySetSharedData(key, key_len, value, value_len, cas): a non-zero cas
// must match the stored one.
func (vm *VM) proxySetSharedData(mod api.Module, s []uint64) {
	key, ok1 := readString(mod, arg(s, 0), arg(s, 1))
	data, ok2 := read(mod, arg(s, 2), arg(s, 3))
	if !ok1 || !ok2 {
		ret(s, statusInvalidMemoryAccess)
		return
	}
	cas := arg(s, 4)
	st := vm.m.store
	st.mu.Lock()
	defer st.mu.Unlock()
	m := st.shared[vm.cfg.VMID]
	if m == nil {
		m = map[string]*sharedValue{}
		st.shared[vm.cfg.VMID] = m
	}
	if v, found := m[key]; found && cas != 0 && cas != v.cas {
		ret(s, statusCasMismatch)
		return
	}
	st.cas++
	m[key] = &sharedValue{data: data, cas: st.cas}
	ret(s, statusOK)
}

// proxyRegisterSharedQueue(name, name_len, id_ptr).
func (vm *VM) proxyRegisterSharedQueue(mod api.Module, s []uint64) {
	name, ok := readString(mod, arg(s, 0), arg(s, 1))
	if !ok {
		ret(s, statusInvalidMemoryAccess)
		return
	}
	st := vm.m.store
	st.mu.Lock()
	id := -1
	for i, q := range st.queues {
		if q.vmID == vm.cfg.VMID && q.name == name {
			q.owner, q.rootID, id = vm, vm.rootID, i
		}
	}
	if id < 0 {
		st.queues = append(st.queues, &queue{vmID: vm.cfg.VMID, name: name, owner: vm, rootID: vm.rootID})
		id = len(st.queues) - 1
	}
	st.mu.Unlock()
	writeU32(mod, arg(s, 2), uint32(id)+1)
	ret(s, statusOK)
}

// proxyResolveSharedQueue(vm_id, vm_id_len, name, name_len, id_ptr).
func (vm *VM) proxyResolveSharedQueue(mod api.Module, s []uint64) {
	vmID, ok1 := readString(mod, arg(s, 0), arg(s, 1))
	name, ok2 := readString(mod, arg(s, 2), arg(s, 3))
	if !ok1 || !ok2 {
		ret(s, statusInvalidMemoryAccess)
		return
	}
	st := vm.m.store
	st.mu.Lock()
	defer st.mu.Unlock()
	for i, q := range st.queues {
		if q.vmID == vmID && q.name == name {
			writeU32(mod, arg(s, 4), uint32(i)+1)
			ret(s, statusOK)
			return
		}
	}
	ret(s, statusNotFound)
}

func (st *store) queue(id uint32) *queue {
	if id == 0 || int(id) > len(st.queues) {
		return nil
	}
	return st.queues[id-1]
}

// proxyEnqueueSharedQueue(id, data, len): the owner's proxy_on_queue_ready
// runs after the current callback.
func (vm *VM) proxyEnqueueSharedQueue(mod api.Module, s []uint64) {
	id := arg(s, 0)
	data, ok := read(mod, arg(s, 1), arg(s, 2))
	if !ok {
		ret(s, statusInvalidMemoryAccess)
		return
	}
	st := vm.m.store
	st.mu.Lock()
	q := st.queue(id)
	if q != nil {
		q.items = append(q.items, data)
	}
	st.mu.Unlock()
	if q == nil {
		ret(s, statusNotFound)
		return
	}
	if q.owner == vm {
		vm.pending = append(vm.pending, func() {
			vm.effective = q.rootID
			_, _, _ = vm.call("proxy_on_queue_ready", uint64(q.rootID), uint64(id))
		})
	}
	ret(s, statusOK)
}

// proxyDequeueSharedQueue(id, data_ptr_ptr, size_ptr): EMPTY when drained.
func (vm *VM) proxyDequeueSharedQueue(mod api.Module, s []uint64) {
	st := vm.m.store
	st.mu.Lock()
	q := st.queue(arg(s, 0))
	var item []byte
	empty := q != nil && len(q.items) == 0
	if q != nil && !empty {
		item, q.items = q.items[0], q.items[1:]
	}
	st.mu.Unlock()
	switch {
	case q == nil:
		ret(s, statusNotFound)
	case empty:
		ret(s, statusEmpty)
	default:
		ret(s, vm.copyOut(mod, item, arg(s, 1), arg(s, 2)))
	}
}
