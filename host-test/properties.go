package hosttest

import (
	"encoding/binary"
	"math"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/tetratelabs/wazero/api"
)

// Property is an attribute the host serves through proxy_get_property.
// Path is the attribute's segments, e.g. {"connection", "mtls"} or
// {"metadata", "filter_metadata", "envoy.filters.http.jwt_authn", "payload"}.
// Value is encoded as Envoy encodes it:
//
//   - string: raw bytes; []byte: as is (also for serialized protobuf messages)
//   - int, int64, uint64, float64, time.Duration, time.Time (ns since epoch):
//     8 bytes little-endian (float64 as IEEE bits)
//   - bool: 1 byte
//   - map[string]any: pairs serialization, values encoded recursively
//   - []any: pairs with each element as key and an empty value
//
// A path that continues into a map or list value walks it by key or
// decimal index, so a jwt_authn payload map answers ["…", "payload", "sub"].
type Property struct {
	Path  []string
	Value any
}

// ParseProperty splits a property name into segments: on "/" when the name
// contains one (so segments may contain dots, as metadata namespaces do),
// else on ".".
func ParseProperty(name string) []string {
	if strings.Contains(name, "/") {
		return strings.Split(name, "/")
	}
	return strings.Split(name, ".")
}

// propertyTree builds the attribute tree visible to the current callback.
func (vm *VM) propertyTree() map[string]any {
	root := map[string]any{
		"plugin_name":    pluginName,
		"plugin_root_id": "",
		"plugin_vm_id":   vm.cfg.VMID,
	}
	if s := vm.streams[vm.effective]; s != nil {
		root["connection_id"] = uint64(s.id)
		if req := s.requestAttributes(time.Now()); req != nil {
			root["request"] = req
		}
		if s.phase != streamRequest && s.maps[mapResponseHeaders] != nil {
			resp := map[string]any{"headers": headerMapValue(s.maps[mapResponseHeaders])}
			if code, err := strconv.Atoi(first(s.maps[mapResponseHeaders], ":status")); err == nil {
				resp["code"] = int64(code)
			}
			root["response"] = resp
		}
		fs := map[string]any{}
		for k, v := range s.filterState {
			fs["wasm."+k] = v
			root[k] = v
		}
		root["filter_state"] = fs
	}
	for _, p := range vm.cfg.Properties {
		put(root, p.Path, p.Value)
	}
	return root
}

// requestAttributes are the request.* attributes. Those derived from
// headers read through the same pointer as the header map calls, so they
// vanish once Envoy dropped it (after on_request_headers continued).
func (s *stream) requestAttributes(now time.Time) map[string]any {
	req := map[string]any{
		"protocol": "HTTP/1.1",
		"time":     now,
	}
	h := s.maps[mapRequestHeaders]
	if s.access[mapRequestHeaders] == accessNone || h == nil {
		return req
	}
	path := first(h, ":path")
	u, _ := url.Parse(path)
	req["path"] = path
	if u != nil {
		req["url_path"] = u.Path
		req["query"] = u.RawQuery
	}
	req["host"] = first(h, ":authority")
	req["scheme"] = first(h, ":scheme")
	req["method"] = first(h, ":method")
	req["headers"] = headerMapValue(h)
	for attr, hdr := range map[string]string{"referer": "referer", "useragent": "user-agent", "id": "x-request-id"} {
		if v, ok := h.Get(hdr); ok {
			req[attr] = v
		}
	}
	return req
}

// headerMapValue joins repeated headers with "," as Envoy's map view does.
func headerMapValue(h Headers) map[string]any {
	m := map[string]any{}
	for _, kv := range h {
		if prev, ok := m[kv[0]]; ok {
			m[kv[0]] = prev.(string) + "," + kv[1]
		} else {
			m[kv[0]] = kv[1]
		}
	}
	return m
}

func put(root map[string]any, path []string, v any) {
	for i, seg := range path {
		if i == len(path)-1 {
			root[seg] = v
			return
		}
		next, ok := root[seg].(map[string]any)
		if !ok {
			next = map[string]any{}
			root[seg] = next
		}
		root = next
	}
}

// lookup walks path through maps by key and lists by index.
func lookup(v any, path []string) (any, bool) {
	for _, seg := range path {
		switch t := v.(type) {
		case map[string]any:
			var ok bool
			if v, ok = t[seg]; !ok {
				return nil, false
			}
		case []any:
			i, err := strconv.Atoi(seg)
			if err != nil || i < 0 || i >= len(t) {
				return nil, false
			}
			v = t[i]
		default:
			return nil, false
		}
	}
	return v, true
}

// encodeValue encodes a property value the way Envoy serializes CEL values.
func encodeValue(v any) ([]byte, bool) {
	u64 := func(x uint64) []byte { return binary.LittleEndian.AppendUint64(nil, x) }
	switch t := v.(type) {
	case string:
		return []byte(t), true
	case []byte:
		return t, true
	case bool:
		if t {
			return []byte{1}, true
		}
		return []byte{0}, true
	case int:
		return u64(uint64(t)), true
	case int64:
		return u64(uint64(t)), true
	case uint32:
		return u64(uint64(t)), true
	case uint64:
		return u64(t), true
	case float64:
		return u64(math.Float64bits(t)), true
	case time.Duration:
		return u64(uint64(t)), true
	case time.Time:
		return u64(uint64(t.UnixNano())), true
	case map[string]any:
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		h := make(Headers, 0, len(keys))
		for _, k := range keys {
			b, ok := encodeValue(t[k])
			if !ok {
				return nil, false
			}
			h = append(h, [2]string{k, string(b)})
		}
		return encodePairs(h), true
	case []any:
		h := make(Headers, 0, len(t))
		for _, e := range t {
			b, ok := encodeValue(e)
			if !ok {
				return nil, false
			}
			h = append(h, [2]string{string(b), ""})
		}
		return encodePairs(h), true
	}
	return nil, false
}

// proxyGetProperty(path, path_len, value_ptr_ptr, value_size_ptr): the path
// is NUL-separated segments.
func (vm *VM) proxyGetProperty(mod api.Module, s []uint64) {
	raw, ok := read(mod, arg(s, 0), arg(s, 1))
	if !ok {
		ret(s, statusInvalidMemoryAccess)
		return
	}
	v, found := lookup(vm.propertyTree(), strings.Split(string(raw), "\x00"))
	if !found {
		ret(s, statusNotFound)
		return
	}
	b, ok := encodeValue(v)
	if !ok {
		ret(s, statusSerializationFail)
		return
	}
	ret(s, vm.copyOut(mod, b, arg(s, 2), arg(s, 3)))
}

// proxySetProperty stores a filter-state value `wasm.<path>` on the current
// stream; outside a stream it is NOT_FOUND.
func (vm *VM) proxySetProperty(mod api.Module, s []uint64) {
	path, ok1 := readString(mod, arg(s, 0), arg(s, 1))
	value, ok2 := read(mod, arg(s, 2), arg(s, 3))
	if !ok1 || !ok2 {
		ret(s, statusInvalidMemoryAccess)
		return
	}
	st := vm.streams[vm.effective]
	if st == nil {
		ret(s, statusNotFound)
		return
	}
	st.filterState[path] = value
	ret(s, statusOK)
}
