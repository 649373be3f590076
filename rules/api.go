package rules

import "errors"

// ErrInvalidJSON is returned (wrapped) by Apply for a body that is not valid JSON.
var ErrInvalidJSON = errors.New("invalid json")

// ErrTooDeep is returned (wrapped) by Apply for a body nested deeper than Options.MaxDepth.
var ErrTooDeep = errors.New("json nesting too deep")

// ErrWorkBudget is returned (wrapped) by Apply for a body on which the
// content detectors ran past their work budget (see WorkBudget).
var ErrWorkBudget = errors.New("work budget exceeded")

// ErrRecordTooLarge is returned (wrapped) by a record stream (Stream) for
// a record longer than limits.max_record_bytes: the body is oversize.
var ErrRecordTooLarge = errors.New("record too large")

// DefaultMaxDepth is the nesting limit used when Options.MaxDepth is zero.
const DefaultMaxDepth = 128

// DefaultMaxBodyBytes is the body limit used when a rule set sets none: Envoy's
// default per-connection buffer limit (1 MiB).
const DefaultMaxBodyBytes = 1 << 20

// Options tune Compile.
type Options struct {
	// Filename names the source in diagnostics ("rules.yaml:3:5: …"). Default "rules".
	Filename string
	// MaxDepth bounds JSON nesting in Apply (objects and arrays inside each
	// other). Zero or less means DefaultMaxDepth; values above 10000 are
	// lowered to 10000, as the walk recurses once per level.
	MaxDepth int
	// Env looks up the VM environment variables that `crypto_keys` name
	// (`env:`). In the plugin it is os.LookupEnv (Envoy's
	// vm_config.environment_variables); nil means no variable is set.
	Env func(name string) (value string, ok bool)
}

// Direction says which body of an exchange is being processed.
type Direction uint8

// The two body directions.
const (
	Request Direction = iota + 1
	Response
)

// String returns "request" or "response".
func (d Direction) String() string {
	switch d {
	case Request:
		return "request"
	case Response:
		return "response"
	}
	return "unknown"
}

// Input describes the body being processed: its direction, and what the
// rules' conditions (`when:`, `unless:`, minimize lists) read about the
// exchange. The zero Request (nil) means nothing is known about the
// request: every attribute is absent, so identity conditions fail closed.
type Input struct {
	Direction Direction
	// Request holds the request's attributes. The plugin passes the same
	// Request for both bodies of an exchange: response-side conditions see
	// the request's method, path, headers and identity. nil: all absent.
	Request *RequestAttributes
	// Status is the response status code (response side); 0 when unknown,
	// as on the request side, where no `status` condition holds.
	Status int
	// ContentType is the body's content-type value, for a BodyMultipart
	// body (ApplyAs reads its boundary there); ignored otherwise.
	ContentType string
	// carried are the spans a Stream's carry found in strings of the record
	// (stream_text), to replace besides what the detectors find
	carried []carriedText
}

// RequestAttributes holds the attributes of a request that conditions read. Strings
// are as Envoy gives them; the rules package canonicalizes them itself.
type RequestAttributes struct {
	// Method is the :method pseudo-header.
	Method string
	// Path is the :path pseudo-header, the raw request target; `path`
	// conditions canonicalize it as match.paths does.
	Path string
	// Host is the :authority pseudo-header (a port is ignored).
	Host string
	// Headers are the request headers in order, names lower-case as Envoy
	// gives them; a header sent twice appears twice.
	Headers [][2]string
	// PeerURISANs are the URI SANs of the verified peer certificate
	// (Envoy's connection.uri_san_peer_certificate); empty without mTLS.
	PeerURISANs []string
	// JWTClaims is the verified JWT payload, as JSON, that jwt_authn put in
	// the dynamic metadata under the set's jwt.provider_metadata_key
	// (Program.JWTMetadataKey); nil when there is none.
	JWTClaims []byte
}
