// Package testmodule gives host-test's tests the Wasm modules they load,
// built from the source in the tree. The work is done by
// github.com/veilproxy/veil/internal/testmodule, which the plugin's tests
// share; see there for how go test's cache is kept sound.
package testmodule

import "github.com/veilproxy/veil/internal/testmodule"

// The functions host-test's tests call; each is documented where it is defined.
var (
	RepoRoot         = testmodule.RepoRoot
	Build            = testmodule.Build
	Plugin           = testmodule.Plugin
	PluginWithFaults = testmodule.PluginWithFaults
	Module           = testmodule.Module
	RecordInputs     = testmodule.RecordInputs
)
