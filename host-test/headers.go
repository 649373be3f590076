package hosttest

import (
	"encoding/binary"
	"fmt"
	"strings"

	"github.com/tetratelabs/wazero/api"
)

// Headers is an ordered header list as [name, value] pairs, pseudo-headers
// (":path", ":status") included, the shape the Go SDK uses.
type Headers [][2]string

// Get returns the first value of name (case-insensitive) and whether it exists.
func (h Headers) Get(name string) (string, bool) {
	for _, kv := range h {
		if strings.EqualFold(kv[0], name) {
			return kv[1], true
		}
	}
	return "", false
}

func (h Headers) clone() Headers { return append(Headers(nil), h...) }

// mapType is proxy_map_type_t.
type mapType uint32

const (
	mapRequestHeaders mapType = iota
	mapRequestTrailers
	mapResponseHeaders
	mapResponseTrailers
	mapGrpcInitial
	mapGrpcTrailing
	mapHTTPCallResponseHeaders
	mapHTTPCallResponseTrailers
)

var mapNames = [...]string{"request_headers", "request_trailers", "response_headers", "response_trailers",
	"grpc_receive_initial_metadata", "grpc_receive_trailing_metadata", "http_call_response_headers", "http_call_response_trailers"}

// String names the map as messages do ("request_headers").
func (t mapType) String() string {
	if int(t) < len(mapNames) {
		return mapNames[t]
	}
	return fmt.Sprintf("map %d", uint32(t))
}

// access is what the current callback may do with a header map.
type access uint8

const (
	accessNone access = iota
	accessRead
	accessWrite
)

// headerMap resolves a map for a host call: the map, whether it may be
// written, and the status to return when it is not available.
func (vm *VM) headerMap(t mapType) (h *Headers, acc access, missing status) {
	if t == mapHTTPCallResponseHeaders || t == mapHTTPCallResponseTrailers {
		if r := vm.calls.current; r != nil {
			if t == mapHTTPCallResponseHeaders {
				return &r.Headers, accessRead, statusOK
			}
			return &r.Trailers, accessRead, statusOK
		}
		return nil, accessNone, statusNotFound
	}
	s := vm.streams[vm.effective]
	if s == nil || t > mapResponseTrailers {
		return nil, accessNone, statusBadArgument
	}
	if s.access[t] == accessNone {
		if s.phase == streamLog {
			return nil, accessNone, statusNotFound
		}
		return nil, accessNone, statusBadArgument
	}
	return &s.maps[t], s.access[t], statusOK
}

// lateWrite records, on the exchange, a write to a header map Envoy no
// longer holds (the headers already went on) and answers BAD_ARGUMENT.
func (vm *VM) lateWrite(s []uint64, fn string, t mapType, key string) {
	if st := vm.streams[vm.effective]; st != nil {
		st.errorf("late header write: %s(%s, %q) during %s: BAD_ARGUMENT (Envoy no longer holds that map)",
			fn, t, key, vm.callback)
	}
	ret(s, statusBadArgument)
}

func (vm *VM) proxyGetHeaderMapValue(mod api.Module, s []uint64) {
	h, _, missing := vm.headerMap(mapType(arg(s, 0)))
	key, ok := readString(mod, arg(s, 1), arg(s, 2))
	switch {
	case !ok:
		ret(s, statusInvalidMemoryAccess)
	case h == nil:
		ret(s, missing)
	default:
		v, found := h.Get(key)
		if !found {
			ret(s, statusNotFound)
			return
		}
		ret(s, vm.copyOut(mod, []byte(v), arg(s, 3), arg(s, 4)))
	}
}

// mutate applies a write to a header map, enforcing Envoy's timing.
func (vm *VM) mutate(mod api.Module, s []uint64, fn string, withValue bool, apply func(h *Headers, key, value string)) {
	t := mapType(arg(s, 0))
	key, ok1 := readString(mod, arg(s, 1), arg(s, 2))
	var value string
	ok2 := true
	if withValue {
		value, ok2 = readString(mod, arg(s, 3), arg(s, 4))
	}
	if !ok1 || !ok2 {
		ret(s, statusInvalidMemoryAccess)
		return
	}
	h, acc, missing := vm.headerMap(t)
	switch {
	case h == nil && vm.streams[vm.effective] != nil && t <= mapResponseTrailers:
		vm.lateWrite(s, fn, t, key)
	case h == nil:
		ret(s, missing)
	case acc != accessWrite:
		vm.lateWrite(s, fn, t, key)
	default:
		apply(h, strings.ToLower(key), value)
		ret(s, statusOK)
	}
}

func (vm *VM) proxyAddHeaderMapValue(mod api.Module, s []uint64) {
	vm.mutate(mod, s, "proxy_add_header_map_value", true, func(h *Headers, k, v string) {
		*h = append(*h, [2]string{k, v})
	})
}

func (vm *VM) proxyReplaceHeaderMapValue(mod api.Module, s []uint64) {
	vm.mutate(mod, s, "proxy_replace_header_map_value", true, func(h *Headers, k, v string) {
		h.remove(k)
		*h = append(*h, [2]string{k, v})
	})
}

func (vm *VM) proxyRemoveHeaderMapValue(mod api.Module, s []uint64) {
	vm.mutate(mod, s, "proxy_remove_header_map_value", false, func(h *Headers, k, _ string) { h.remove(k) })
}

func (h *Headers) remove(key string) {
	out := (*h)[:0]
	for _, kv := range *h {
		if !strings.EqualFold(kv[0], key) {
			out = append(out, kv)
		}
	}
	*h = out
}

func (vm *VM) proxyGetHeaderMapPairs(mod api.Module, s []uint64) {
	h, _, missing := vm.headerMap(mapType(arg(s, 0)))
	switch {
	case h != nil:
		ret(s, vm.copyOut(mod, encodePairs(*h), arg(s, 1), arg(s, 2)))
	case missing == statusBadArgument && vm.streams[vm.effective] != nil:
		// Envoy: a dropped map reads as OK and empty.
		ret(s, vm.copyOut(mod, nil, arg(s, 1), arg(s, 2)))
	default:
		ret(s, missing)
	}
}

func (vm *VM) proxySetHeaderMapPairs(mod api.Module, s []uint64) {
	t := mapType(arg(s, 0))
	data, ok := read(mod, arg(s, 1), arg(s, 2))
	if !ok {
		ret(s, statusInvalidMemoryAccess)
		return
	}
	h, acc, missing := vm.headerMap(t)
	switch {
	case h == nil && vm.streams[vm.effective] != nil && t <= mapResponseTrailers, h != nil && acc != accessWrite:
		vm.lateWrite(s, "proxy_set_header_map_pairs", t, "*")
	case h == nil:
		ret(s, missing)
	default:
		// A malformed list parses as empty: every header is removed.
		pairs := decodePairs(data)
		*h = (*h)[:0]
		for _, kv := range pairs {
			*h = append(*h, [2]string{strings.ToLower(kv[0]), kv[1]})
		}
		ret(s, statusOK)
	}
}

// proxyGetHeaderMapSize returns the serialized byte size, not a count.
func (vm *VM) proxyGetHeaderMapSize(mod api.Module, s []uint64) {
	h, _, missing := vm.headerMap(mapType(arg(s, 0)))
	if h == nil {
		ret(s, missing)
		return
	}
	writeU32(mod, arg(s, 1), uint32(len(encodePairs(*h))))
	ret(s, statusOK)
}

// encodePairs is the proxy-wasm map serialization: count, (key_len,
// value_len)*, then each key and value followed by NUL.
func encodePairs(h Headers) []byte {
	if len(h) == 0 {
		return nil
	}
	size := 4
	for _, kv := range h {
		size += 8 + len(kv[0]) + len(kv[1]) + 2
	}
	b := make([]byte, 4, size)
	binary.LittleEndian.PutUint32(b, uint32(len(h)))
	for _, kv := range h {
		b = binary.LittleEndian.AppendUint32(b, uint32(len(kv[0])))
		b = binary.LittleEndian.AppendUint32(b, uint32(len(kv[1])))
	}
	for _, kv := range h {
		b = append(append(append(append(b, kv[0]...), 0), kv[1]...), 0)
	}
	return b
}

// Envoy's parser limits (cpp-host src/pairs_util.cc).
const (
	maxPairs     = 1024
	maxPairsSize = 1 << 20
)

// decodePairs parses strictly like cpp-host: more than 1024 pairs, more
// than 1 MiB, a missing NUL or trailing bytes give an empty map.
func decodePairs(b []byte) Headers {
	if len(b) < 4 || len(b) > maxPairsSize {
		return nil
	}
	n := binary.LittleEndian.Uint32(b)
	if n > maxPairs || uint64(len(b)) < 4+8*uint64(n) {
		return nil
	}
	sizes := b[4 : 4+8*n]
	data := b[4+8*n:]
	out := make(Headers, 0, n)
	for i := uint32(0); i < n; i++ {
		kl := uint64(binary.LittleEndian.Uint32(sizes[8*i:]))
		vl := uint64(binary.LittleEndian.Uint32(sizes[8*i+4:]))
		if uint64(len(data)) < kl+vl+2 || data[kl] != 0 || data[kl+1+vl] != 0 {
			return nil
		}
		out = append(out, [2]string{string(data[:kl]), string(data[kl+1 : kl+1+vl])})
		data = data[kl+vl+2:]
	}
	if len(data) != 0 {
		return nil
	}
	return out
}
