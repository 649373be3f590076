package detect

import (
	"embed"
	"path"
	"slices"
	"strings"
)

// Rule packs are ordinary Veil rule sets (YAML) embedded in the binary, named
// by `include:` in a user's rule set. See README.md for what each holds.
//
//go:embed packs/*.yaml
var packFS embed.FS

// PackNames returns the names of the built-in rule packs, sorted.
func PackNames() []string {
	entries, _ := packFS.ReadDir("packs")
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		names = append(names, strings.TrimSuffix(e.Name(), ".yaml"))
	}
	slices.Sort(names)
	return names
}

// Pack returns the YAML source of the named rule pack.
func Pack(name string) ([]byte, bool) {
	if name == "" || strings.ContainsAny(name, "/\\.") {
		return nil, false
	}
	b, err := packFS.ReadFile(path.Join("packs", name+".yaml"))
	return b, err == nil
}
