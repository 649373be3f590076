package rules

import "go.yaml.in/yaml/v3"

// encodingSpec is the rule set's `encodings:` block and its decoded-size
// limits (limits.max_decoded_bytes, limits.max_decoded_ratio).
type encodingSpec struct {
	decode         uint8 // the codings read (decodeGzip…); decodeAll by default
	recodeIdentity bool  // recode: identity
	stripAccept    bool  // strip_accept_encoding
	maxDecoded     int   // 0: max_body_bytes' value
	maxRatio       int   // 0: no ratio limit
}

// maxMaxDecodedBytes bounds limits.max_decoded_bytes: a decoded body is
// held in the VM's linear memory (which never shrinks) with its rewrite.
const maxMaxDecodedBytes = 16 << 20

var encodingsFields = []string{"decode", "recode", "strip_accept_encoding"}

// decodeEncodings reads `encodings:`.
func (d *decoder) decodeEncodings(n *yaml.Node, e *encodingSpec) {
	d.fields(n, "encodings", encodingsFields, func(key string, _, v *yaml.Node) {
		switch key {
		case "decode":
			e.decode = 0
			for _, it := range d.stringList(v, "encodings.decode") {
				bit, ok := codingNames[lowerASCII(it.Value)]
				if !ok {
					d.errorf(it, "encodings.decode: %q cannot be decoded (want gzip, x-gzip or deflate; others are always on.encoded)", it.Value)
				}
				e.decode |= bit
			}
		case "recode":
			r, _ := d.enum(v, "encodings.recode", "same", "identity")
			e.recodeIdentity = r == "identity"
		case "strip_accept_encoding":
			e.stripAccept, _ = d.boolean(v, "encodings.strip_accept_encoding")
		}
	})
}

// decodeEncodingLimit reads limits.max_decoded_bytes or
// limits.max_decoded_ratio.
func (d *decoder) decodeEncodingLimit(key string, v *yaml.Node, e *encodingSpec) {
	n, ok := d.integer(v, key)
	switch {
	case !ok:
	case n <= 0:
		d.errorf(v, "%s: must be positive, got %d", key, n)
	case key == "max_decoded_ratio":
		e.maxRatio = n
	case n > maxMaxDecodedBytes:
		d.errorf(v, "%s: %d exceeds %d", key, n, maxMaxDecodedBytes)
	default:
		e.maxDecoded = n
	}
}

// MaxDecodedBytes returns limits.max_decoded_bytes: how large an encoded
// body (each of its layers) may decode to; max_body_bytes' value when unset.
func (p *Program) MaxDecodedBytes() int {
	if p.enc.maxDecoded == 0 {
		return p.maxBodyBytes
	}
	return p.enc.maxDecoded
}

// DecodedLimit returns the decoded size allowed for a body of encodedLen
// encoded bytes: MaxDecodedBytes, or limits.max_decoded_ratio times
// encodedLen when that is less.
func (p *Program) DecodedLimit(encodedLen int) int {
	limit := p.MaxDecodedBytes()
	if r := p.enc.maxRatio; r > 0 && encodedLen <= limit/r {
		limit = r * encodedLen
	}
	return limit
}

// RecodeIdentity reports `encodings.recode: identity`: a decoded body is
// forwarded as identity, its content-encoding header dropped.
func (p *Program) RecodeIdentity() bool { return p.enc.recodeIdentity }

// StripAcceptEncoding reports `encodings.strip_accept_encoding`: in-scope
// requests lose their accept-encoding header when rules apply to responses.
func (p *Program) StripAcceptEncoding() bool { return p.enc.stripAccept }
