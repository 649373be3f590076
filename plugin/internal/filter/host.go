package filter

import (
	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm"
	"github.com/veilproxy/veil/rules"
)

// directionCalls are the host calls that differ between the request and the
// response side, so the stream logic is written once for both.
type directionCalls struct {
	removeHeader func(name string) error
	getBody      func(start, maxSize int) ([]byte, error)
	replaceBody  func(body []byte) error
	prependBody  func(data []byte) error
}

// hostCalls is indexed by rules.Direction.
var hostCalls = [3]directionCalls{
	rules.Request: {
		removeHeader: proxywasm.RemoveHttpRequestHeader,
		getBody:      proxywasm.GetHttpRequestBody,
		replaceBody:  proxywasm.ReplaceHttpRequestBody,
		prependBody:  proxywasm.PrependHttpRequestBody,
	},
	rules.Response: {
		removeHeader: proxywasm.RemoveHttpResponseHeader,
		getBody:      proxywasm.GetHttpResponseBody,
		replaceBody:  proxywasm.ReplaceHttpResponseBody,
		prependBody:  proxywasm.PrependHttpResponseBody,
	},
}
