package hosttest

import "github.com/tetratelabs/wazero/api"

// HTTPCallRequest is a proxy_http_call as the host received it.
type HTTPCallRequest struct {
	Cluster  string
	Headers  Headers
	Body     []byte
	Trailers Headers
}

// HTTPCallResponse is what a handler answers. A nil response is delivered
// as Envoy delivers a failed call: no headers, and proxy_get_status
// reporting 9 "reset".
type HTTPCallResponse struct {
	Headers  Headers
	Body     []byte
	Trailers Headers
}

// HTTPCallHandler answers the guest's http_call. It returns ok=false for a
// cluster Envoy would not know, which makes the call fail with BAD_ARGUMENT.
type HTTPCallHandler func(HTTPCallRequest) (resp *HTTPCallResponse, ok bool)

// callFailedCode and callFailedMessage are what proxy_get_status reports
// after a failed http_call, as in Envoy (ENVOY.md §5.4).
const (
	callFailedCode    = 9
	callFailedMessage = "reset"
)

// idStep is the step between http_call tokens, and between metric ids of
// one type, that cpp-host hands out; a metric id's low two bits are its type
// (ENVOY.md §5.4, §11).
const idStep = 4

// httpCalls tracks dispatched calls; current is the response being
// delivered, readable through the http_call response map and buffer ids.
type httpCalls struct {
	next    uint32
	current *HTTPCallResponse
}

// proxyHTTPCall(cluster, cluster_len, headers, headers_len, body, body_len,
// trailers, trailers_len, timeout_ms, token_ptr). The response reaches
// proxy_on_http_call_response after the current callback returns.
func (vm *VM) proxyHTTPCall(mod api.Module, s []uint64) {
	cluster, ok1 := readString(mod, arg(s, 0), arg(s, 1))
	hdrs, ok2 := read(mod, arg(s, 2), arg(s, 3))
	body, ok3 := read(mod, arg(s, 4), arg(s, 5))
	trls, ok4 := read(mod, arg(s, 6), arg(s, 7))
	if !ok1 || !ok2 || !ok3 || !ok4 {
		ret(s, statusInvalidMemoryAccess)
		return
	}
	req := HTTPCallRequest{Cluster: cluster, Headers: decodePairs(hdrs), Body: body, Trailers: decodePairs(trls)}
	for _, h := range []string{":path", ":method", ":authority"} {
		if _, ok := req.Headers.Get(h); !ok {
			ret(s, statusBadArgument)
			return
		}
	}
	if vm.cfg.HTTPCall == nil {
		ret(s, statusBadArgument)
		return
	}
	resp, ok := vm.cfg.HTTPCall(req)
	if !ok {
		ret(s, statusBadArgument)
		return
	}
	vm.calls.next += idStep
	token := vm.calls.next
	writeU32(mod, arg(s, 9), token)
	vm.pending = append(vm.pending, func() { vm.deliverHTTPCall(token, resp) })
	ret(s, statusOK)
}

func (vm *VM) deliverHTTPCall(token uint32, resp *HTTPCallResponse) {
	if resp == nil {
		vm.status.code, vm.status.msg = callFailedCode, callFailedMessage
		resp = &HTTPCallResponse{}
	} else {
		vm.status.code, vm.status.msg = 0, ""
	}
	vm.calls.current = resp
	vm.effective = vm.rootID
	_, _, _ = vm.call("proxy_on_http_call_response", uint64(vm.rootID), uint64(token),
		uint64(len(resp.Headers)), uint64(len(resp.Body)), uint64(len(resp.Trailers)))
	vm.calls.current = nil
	vm.effective = vm.rootID
}
