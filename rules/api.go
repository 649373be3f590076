package rules

import "errors"

// ErrInvalidJSON is returned (wrapped) by Apply for a body that is not valid JSON.
var ErrInvalidJSON = errors.New("invalid json")

// ErrTooDeep is returned (wrapped) by Apply for a body nested deeper than Options.MaxDepth.
var ErrTooDeep = errors.New("json nesting too deep")

// ErrWorkBudget is returned (wrapped) by Apply for a body on which the
// content detectors ran past their work budget (see WorkBudget).
var ErrWorkBudget = errors.New("work budget exceeded")

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

// Input describes the body being processed. It carries the direction now and
// request attributes (method, path, headers, identity) in later versions, so
// conditions can be added without changing Apply's signature.
type Input struct {
	Direction Direction
}
