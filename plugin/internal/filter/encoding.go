package filter

import (
	"errors"
	"strings"

	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm"
	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm/types"
	"github.com/veilproxy/veil/rules"
)

// Content codings: a body whose content-encoding the rule set decodes
// (encodings.decode) is buffered whole, decoded within
// limits.max_decoded_bytes, rewritten like an identity body and, when
// something changed, re-encoded with its own codings (recode: same) or
// forwarded decoded (recode: identity, its content-encoding dropped at the
// headers). The codec work is rules.Codec's; this file is the glue.

// stripAcceptEncoding removes accept-encoding from a request in scope of a
// rule set with strip_accept_encoding whose rules apply to responses, so
// that the upstream answers in identity. headers is the request's header
// map, read once by the caller.
func (s *stream) stripAcceptEncoding(headers [][2]string) error {
	p := s.plugin.program
	if !p.StripAcceptEncoding() || !p.Applies(rules.Response) || !p.InScope(s.method, s.path) {
		return nil
	}
	for _, kv := range headers {
		if strings.EqualFold(kv[0], "accept-encoding") {
			return proxywasm.RemoveHttpRequestHeader("accept-encoding") // every value
		}
	}
	return nil
}

// beginEncoding reads a body's codings from all its content-encoding
// values in a headers callback: ok is false when the rule set cannot read
// them (the body is `encoded`). With recode: identity an encoded body's
// content-encoding is dropped now, the only moment headers can change.
func (s *stream) beginEncoding(d rules.Direction, values []string) (enc rules.Encoding, ok bool, err error) {
	p := s.plugin.program
	enc, ok = p.Encoding(values)
	if !ok || enc.Identity() || !p.RecodeIdentity() {
		return enc, ok, nil
	}
	return enc, true, hostCalls[d].removeHeader("content-encoding")
}

// encodedSniffRead is how much of an encoded sniffed body is read to
// decode its first sniffRead bytes: enough for ordinary gzip headers and
// the first deflate blocks (a longer start leaves the decision to the end).
const encodedSniffRead = 16 << 10

// sniffEncoded is sniff for an encoded body: rules.Sniff looks at the
// start of the decoded body. Not a candidate lets it through encoded
// (recode: same) or, as its content-encoding is gone (recode: identity),
// buffers it to be forwarded decoded; bytes that cannot start a body of
// its codings are `encoded`; a start still undecided after sniffRead
// decoded bytes (or encodedSniffRead encoded ones) is left to the whole
// decoded body at the end (ApplyAs sniffs again).
func (s *stream) sniffEncoded(d rules.Direction, bodySize int, endOfStream bool) (action types.Action, decided bool) {
	st := &s.bodies[d]
	raw, err := hostCalls[d].getBody(0, min(bodySize, encodedSniffRead))
	if err != nil && !errors.Is(err, types.ErrorStatusNotFound) {
		return s.fail(d, rules.InternalError), true
	}
	prefix, complete, err := s.plugin.codec.DecodePrefix(st.encoding, raw, sniffRead)
	if err != nil {
		return s.fail(d, rules.Encoded), true
	}
	switch rules.Sniff(prefix, complete && endOfStream && bodySize <= encodedSniffRead) {
	case rules.SniffText:
		if s.plugin.program.RecodeIdentity() {
			st.sniffing = false
			return 0, false
		}
		st.buffering = false
		return types.ActionContinue, true
	case rules.SniffWide:
		return s.fail(d, rules.InvalidJSON), true
	case rules.SniffJSON:
		st.sniffing = false
	default: // SniffMore
		if len(prefix) >= sniffRead || bodySize >= encodedSniffRead {
			st.sniffing = false
		}
	}
	return 0, false
}

// decodeBody decodes a whole encoded body read at end of stream. With
// recode: identity the decoded body replaces the encoded one at once, so
// that whatever follows (a pass under an on choice included) forwards it
// decoded. An error goes to failDecode.
func (s *stream) decodeBody(d rules.Direction, raw []byte) (decoded []byte, form rules.Encoding, err error) {
	p := s.plugin.program
	decoded, form, err = s.plugin.codec.Decode(s.bodies[d].encoding, raw, p.DecodedLimit(len(raw)))
	if err == nil && p.RecodeIdentity() {
		err = hostCalls[d].replaceBody(decoded)
	}
	return decoded, form, err
}

// failDecode applies the rule set's choice for a body decodeBody failed
// on: past the decoded-size limits it is oversize, undecodable encoded.
func (s *stream) failDecode(d rules.Direction, err error) types.Action {
	switch {
	case errors.Is(err, rules.ErrDecodedTooLarge):
		return s.fail(d, rules.Oversize)
	case errors.Is(err, rules.ErrUndecodable):
		return s.fail(d, rules.Encoded)
	}
	return s.fail(d, rules.InternalError)
}

// encodeBody returns a rewritten decoded body as it is forwarded: encoded
// again in the form it came in (recode: same), or as is (recode: identity,
// or an identity body).
func (s *stream) encodeBody(form rules.Encoding, out []byte) ([]byte, error) {
	if form.Identity() || s.plugin.program.RecodeIdentity() {
		return out, nil
	}
	return s.plugin.codec.Encode(form, out)
}
