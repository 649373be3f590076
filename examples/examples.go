// Package examples embeds the bundled examples (each directory's rule set,
// request and response bodies and flags file) for the commands that offer
// them without a checkout at hand, such as veil playground's example menu.
// The files stay the source of truth: this package only embeds them.
package examples

import "embed"

// FS holds NAME/rules.yaml, NAME/request.json, NAME/response.json or
// NAME/response.sse, and NAME/flags where an example has one.
//
//go:embed */rules.yaml */request.json */response.json */response.sse */flags
var FS embed.FS
