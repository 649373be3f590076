package corpus

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Credentials of LLM providers and developer platforms, and credentials
// recognized by their context (a password word, a URL's user information),
// with the look-alikes they must leave alone. LLM API bodies (llmExchange)
// carry them in prompts, model output and tool-call arguments.

// credentialDetectors are the detectors this file plants values for. Their
// recall gate is MinRecallChecksummed: each has a fixed prefix or context.
var credentialDetectors = []string{
	"openai_key", "anthropic_key", "gitlab_token", "npm_token", "huggingface_token",
	"slack_webhook", "password_assignment", "url_credentials",
}

const pwChars = alnum + "!#$*-_+=~^"

// credential returns a value of one of credentialDetectors.
func (g *gen) credential(d string) (string, bool) {
	switch d {
	case "openai_key":
		switch g.r.IntN(5) {
		case 0:
			return "sk-" + g.chars(20, alnum) + "T3BlbkFJ" + g.chars(20, alnum), true
		case 1:
			return "sk-" + g.chars(48, alnum), true
		default:
			return "sk-" + pick(g.r, "proj-", "proj-", "svcacct-", "admin-") + g.chars(74, b64url) + "T3BlbkFJ" + g.chars(74, b64url), true
		}
	case "anthropic_key":
		return "sk-ant-" + pick(g.r, "api03-", "api03-", "admin01-", "oat01-") + g.chars(93, b64url) + "AA", true
	case "gitlab_token":
		if g.r.IntN(3) == 0 {
			return "glpat-" + g.chars(27+g.r.IntN(10), b64url) + ".01." + g.chars(9, lowerAlpha+digits), true
		}
		return pick(g.r, "glpat-", "glpat-", "gldt-", "glptt-", "glrt-") + g.chars(20, b64url), true
	case "npm_token":
		return "npm_" + g.chars(36, alnum), true
	case "huggingface_token":
		if g.r.IntN(6) == 0 {
			return "api_org_" + g.chars(34, lowerAlpha+upperAlpha), true
		}
		return "hf_" + g.chars(34, lowerAlpha+upperAlpha), true
	case "slack_webhook":
		if g.r.IntN(4) == 0 {
			return "https://hooks.slack.com/workflows/T" + g.chars(8, upperDigits) + "/A" + g.chars(10, upperDigits) + "/" + g.digits(18) + "/" + g.chars(24, alnum), true
		}
		return "https://hooks.slack.com/services/T" + g.chars(8, upperDigits) + "/B" + g.chars(8+g.r.IntN(3), upperDigits) + "/" + g.chars(24, alnum), true
	case "password_assignment":
		return g.password(), true
	case "url_credentials":
		return g.urlAuthority(), true
	}
	return "", false
}

// password returns a password: random characters with a digit, or a
// passphrase of lower-case words joined by '-'.
func (g *gen) password() string {
	if g.r.IntN(4) == 0 {
		return strings.Join([]string{pick(g.r, "correct", "purple", "winter", "gravel"), pick(g.r, "horse", "monkey", "tide", "lamp"), pick(g.r, "battery", "staple", "river", "stone")}, "-")
	}
	return g.chars(2, alnum) + g.digits(1) + g.chars(5+g.r.IntN(10), pwChars) + g.chars(1, alnum)
}

// urlAuthority returns "user:password@host[:port]" as a connection URL
// carries it; the password may hold percent escapes.
func (g *gen) urlAuthority() string {
	user := pick(g.r, "admin", "app", "svc_etl", "root", "", "deploy", "ann%40example.com")
	pw := g.chars(6+g.r.IntN(10), alnum+"-_.~!$*")
	if g.r.IntN(5) == 0 {
		pw = pw[:3] + pick(g.r, "%40", "%2F", "%3A") + pw[3:]
	}
	host := pick(g.r, "db.internal", "10.0.3.7", "cluster0.ab1cd.mongodb.net", "cache", "rabbit.example.com", "localhost")
	if g.r.IntN(2) == 0 {
		host += ":" + pick(g.r, "5432", "6379", "27017", "5672", "3306")
	}
	return user + ":" + pw + "@" + host
}

// plantCredentialText returns a sentence carrying a planted value of d when
// d needs its own context (a password word, a URL).
func (g *gen) plantCredentialText(d string) (string, bool) {
	switch d {
	case "password_assignment":
		v := g.password()
		form := pick(g.r,
			"password=%s", "PASSWORD=%s", "DB_PASSWORD=%s", "pwd=%s", "user=ann&pass=%s&remember=1",
			"password: '%s'", `"password": "%s"`, `export MYSQL_ROOT_PASSWORD="%s"`, "passphrase := %q",
			"passwd: %s\nthanks", "smtp_password = %s")
		if strings.Contains(form, ":") && !strings.ContainsAny(form, `'"`) && !strings.Contains(form, "\n") {
			v = strings.ReplaceAll(v, "-", "7") // after ':' a bare value needs a non-letter
		}
		return pick(g.r, "the login is ", "config: ", "use ", "") + fmt.Sprintf(form, g.plant(d, v)) + pick(g.r, " then restart", "", " (temporary)"), true
	case "url_credentials":
		scheme := pick(g.r, "postgres", "postgresql", "mysql", "mongodb+srv", "redis", "amqp", "https", "ftp")
		return pick(g.r, "connect with ", "DATABASE_URL=", "the DSN is ", "") + scheme + "://" + g.plant(d, g.urlAuthority()) + pick(g.r, "/app", "/0", "/?retryWrites=true", "", "/vhost") + pick(g.r, " today", ".", ""), true
	}
	return "", false
}

// credentialDecoy returns a phrase holding a look-alike of a credential.
func (g *gen) credentialDecoy() string {
	switch g.r.IntN(5) {
	case 0:
		return "The prefix " + g.decoy("short_token", pick(g.r,
			"sk-"+g.chars(12, alnum), "sk-ant-"+g.chars(10, alnum), "glpat-"+g.chars(10, alnum),
			"npm_"+g.chars(20, alnum), "hf_"+g.chars(16, alnum), "sk-proj-"+g.chars(8, alnum))) + " is truncated."
	case 1:
		return "Run " + g.decoy("token_word", pick(g.r,
			"task-"+g.chars(40, alnum), "npm_run_build", "npm_config_registry", "npm_package_version",
			"hf_hub_download", "hf_model_id", "sk-learn-intro-to-machine-learning-models", "glpat-docs-and-faq-pages",
			"disk-"+g.chars(36, alnum), "sk-"+g.uuid(), "ask-"+g.chars(40, alnum))) + " first."
	case 2:
		return "See " + g.decoy("plain_url", pick(g.r,
			"https://example.com/docs?page="+g.digits(2), "https://api.slack.com/messaging/webhooks",
			"https://hooks.slack.com/services/", "postgres://db.internal:5432/app", "https://example.org:8443/a/b",
			"redis://cache:6379/0", "https://hooks.slack.com/services/T000/B000/XXXX")) + " for details."
	case 3:
		return "Set " + g.decoy("placeholder_password", pick(g.r,
			"password=", "password=***", "password=<your password>", "password: ${DB_PASSWORD}", "passwd: null",
			`"password": "string"`, "postgres://user:password@localhost/db", "https://u:****@example.com/",
			"password=[REDACTED]", "PASSWORD=$DB_PASS", "password={{ password }}", "pwd=/home/ann")) + " in the template."
	default:
		return g.decoy("prose_password", pick(g.r,
			"Forgot password: click the link", "Reset your password: open settings", "The password is long",
			"password: see below", "Passwords: never share them", "bypass=true")) + "."
	}
}

// llmExchange returns an LLM API body, request or response, of one of the
// providers' shapes, with credentials in its text, tool-call arguments and
// output, and credential look-alikes around them.
func (g *gen) llmExchange() any {
	first := true
	text := func() string {
		s := g.sentence() + " " + g.credentialDecoy()
		if first { // in turn, so that a few documents hold each detector
			s += " " + g.plantText(credentialDetectors[(g.doc/6)%len(credentialDetectors)])
			first = false
		} else if g.r.IntN(3) > 0 {
			s += " " + g.plantText(pick(g.r, credentialDetectors...))
		}
		return s + " " + g.sentence()
	}
	args := func() string {
		d := pick(g.r, credentialDetectors...)
		var v string
		if s, ok := g.plantCredentialText(d); ok {
			v = s
		} else {
			v = g.plant(d, g.value(d))
		}
		b, _ := json.Marshal(map[string]any{"query": g.sentence(), "config": v, "note": g.credentialDecoy()})
		return string(b)
	}
	switch g.r.IntN(6) {
	case 0: // OpenAI chat completions request
		return map[string]any{"model": "gpt-4o", "messages": []any{
			map[string]any{"role": "system", "content": text()},
			map[string]any{"role": "user", "content": []any{map[string]any{"type": "text", "text": text()}}},
			map[string]any{"role": "assistant", "tool_calls": []any{map[string]any{"id": "call_1", "type": "function", "function": map[string]any{"name": "run", "arguments": args()}}}},
			map[string]any{"role": "tool", "tool_call_id": "call_1", "content": text()},
		}}
	case 1: // OpenAI chat completions response
		return map[string]any{"id": "chatcmpl-1", "object": "chat.completion", "choices": []any{map[string]any{"index": 0, "message": map[string]any{
			"role": "assistant", "content": text(),
			"tool_calls": []any{map[string]any{"id": "call_2", "type": "function", "function": map[string]any{"name": "run", "arguments": args()}}},
		}}}}
	case 2: // OpenAI Responses API
		return map[string]any{"model": "gpt-4.1", "instructions": text(), "input": []any{
			map[string]any{"role": "user", "content": []any{map[string]any{"type": "input_text", "text": text()}}},
			map[string]any{"type": "function_call_output", "call_id": "c1", "output": text()},
		}}
	case 3: // Responses API output
		return map[string]any{"id": "resp_1", "object": "response", "output": []any{
			map[string]any{"type": "function_call", "name": "run", "arguments": args()},
			map[string]any{"type": "message", "role": "assistant", "content": []any{map[string]any{"type": "output_text", "text": text()}}},
		}, "output_text": text()}
	case 4: // Anthropic messages, request and response content
		return map[string]any{"model": "claude-sonnet-4", "system": text(), "messages": []any{
			map[string]any{"role": "user", "content": text()},
			map[string]any{"role": "assistant", "content": []any{map[string]any{"type": "tool_use", "id": "toolu_1", "name": "run", "input": map[string]any{"command": text()}}}},
			map[string]any{"role": "user", "content": []any{map[string]any{"type": "tool_result", "tool_use_id": "toolu_1", "content": text()}}},
		}}
	default: // Gemini generateContent response
		return map[string]any{"candidates": []any{map[string]any{"content": map[string]any{"role": "model", "parts": []any{
			map[string]any{"text": text()},
			map[string]any{"functionCall": map[string]any{"name": "run", "args": map[string]any{"config": text()}}},
		}}}}}
	}
}
