package detect

import (
	"strings"
	"testing"
)

// LLM-provider and developer-platform tokens: each format, its spellings in
// text, and the look-alikes that must stay.
func TestProviderTokens(t *testing.T) {
	legacy := "sk-" + "Ab3dEf6hIj9kLm2nOp5q" + "T3BlbkFJ" + "Rs8tUv1wXy4zAb7cDe0f"
	proj := "sk-proj-" + strings.Repeat("aB3_x9Kq-Lm2", 6) + "T3BlbkFJ" + strings.Repeat("Zy8wV_7uT6s", 6)
	svc := "sk-svcacct-" + strings.Repeat("Qw7ErTy3Ui", 8)
	admin := "sk-admin-" + strings.Repeat("Mn4BvC8xZ", 8)
	ant := "sk-ant-api03-" + strings.Repeat("Xy7_Zq-3Wv", 9) + "abcAA"
	antAdmin := "sk-ant-admin01-" + strings.Repeat("Pq9Rs2Tu", 10)
	glpat := "glpat-" + "xY7zQ2vB9nM4kL1pR8sT"
	glRoutable := "glpat-" + "Dt5-nY9lLz1gLQ1M7iRaXG86MQp1OjEH" + ".01.0w0i1tzbp"
	npm := "npm_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"
	hf := "hf_" + "jMEKDEeGoEvRdFFVnVoTkAfqcdLGaJpGYH"
	hfOrg := "api_org_" + "kLmNoPqRsTuVwXyZaBcDeFgHiJkLmNoPqR"
	runCases(t, []detectCase{
		{"my key is " + legacy + ".", []string{"openai_key=" + legacy}},
		{"OPENAI_API_KEY=" + proj, []string{"openai_key=" + proj}},
		{`{"api_key":"` + svc + `"}`, []string{"openai_key=" + svc}},
		{"Bearer " + admin, []string{"openai_key=" + admin}},
		{"(" + ant + ")", []string{"anthropic_key=" + ant}},
		{"x-api-key: " + antAdmin, []string{"anthropic_key=" + antAdmin}},
		{"token " + glpat + " ok", []string{"gitlab_token=" + glpat}},
		{"PRIVATE-TOKEN: " + glRoutable + ". Thanks", []string{"gitlab_token=" + glRoutable}},
		{"gldt-" + "aB3cD4eF5gH6iJ7kL8mN", []string{"gitlab_token=gldt-aB3cD4eF5gH6iJ7kL8mN"}},
		{"//registry.npmjs.org/:_authToken=" + npm, []string{"npm_token=" + npm}},
		{"HF_TOKEN=" + hf, []string{"huggingface_token=" + hf}},
		{"'" + hfOrg + "'", []string{"huggingface_token=" + hfOrg}},
		// look-alikes
		{"sk-short sk-1234 task-" + strings.Repeat("Ab1", 12) + " disk-" + strings.Repeat("Ab1", 12), nil},
		{"sk-learn-the-basics-of-machine-learning-in-python", nil},                        // a slug
		{"sk-" + "3f2a9c1e-7b4d-4e8a-9c2f-1a2b3c4d5e6f", nil},                             // lower-case hex and dashes
		{"sk-Item-2024-Report-Final-Version-A-B-C-D-E", nil},                              // too many dashes
		{"sk-ant-short sk-ant-api03-abc sk-ant-documentation-for-the-api-keys-page", nil}, // too short
		{"glpat-short glpat-documentation-for-tokens aglpat-" + glpat[6:], nil},           // short, a slug, glued
		{"npm_run npm_config_cache npm_package_version npm_" + strings.Repeat("a", 36), nil},
		{"npm_" + npm[4:] + "x", nil}, // 37 characters
		{"hf_hub_download hf_model shelf_life hf_" + strings.Repeat("abc", 11) + "a", nil},
	})
}

// Slack webhooks, credentials in URLs and passwords assigned in text.
func TestCredentialsInText(t *testing.T) {
	hook := "https://hooks.slack.com/services/T0A1B2C3D/B4E5F6G7H/aBcDeFgHiJkLmNoPqRsTuVwX"
	wf := "https://hooks.slack.com/workflows/T0A1B2C3D/A04ABCDEF12/123456789012345678/abcdefghijklmnopqrstuv12"
	runCases(t, []detectCase{
		{"post to " + hook + " now", []string{"slack_webhook=" + hook}},
		{"<" + wf + ">", []string{"slack_webhook=" + wf}},
		{"webhook.url=" + hook, []string{"slack_webhook=" + hook}},
		{"text-" + hook, []string{"slack_webhook=" + hook}},
		{`HOOK="` + strings.ToUpper(hook[:8]) + hook[8:] + `"`, []string{"slack_webhook=" + strings.ToUpper(hook[:8]) + hook[8:]}},
		{"postgres://admin:s3cr3t@db.internal:5432/app", []string{"url_credentials=admin:s3cr3t@db.internal:5432"}},
		{"redis://:hunter22@cache:6379/0", []string{"url_credentials=:hunter22@cache:6379"}},
		{"see https://bob:pa%40ss@example.com/x.", []string{"url_credentials=bob:pa%40ss@example.com"}},
		{"mongodb+srv://app:Xy9!kL2@cluster0.mongodb.net/?retryWrites=true", []string{"url_credentials=app:Xy9!kL2@cluster0.mongodb.net"}},
		{"mysql://app:ab%2Fcd9@db:3306/x", []string{"url_credentials=app:ab%2Fcd9@db:3306"}},
		{"ftp://ann:pa/ss9@ftp.example.org/pub", []string{"url_credentials=ann:pa/ss9@ftp.example.org"}},
		{"amqp://guest:guest@rabbit", []string{"url_credentials=guest:guest@rabbit"}},
		{"password=hunter2", []string{"password_assignment=hunter2"}},
		{"password=" + strings.Repeat("x9", 128), []string{"password_assignment=" + strings.Repeat("x9", 128)}}, // 256 bytes: the longest taken
		{"password=" + strings.Repeat("x9", 128) + "z", nil},
		{`password="` + strings.Repeat("x9", 129) + `"`, nil},
		{"pwd=hunter", []string{"password_assignment=hunter"}},
		{"DB_PASSWORD = 'correct horse battery staple'", []string{"password_assignment=correct horse battery staple"}},
		{"login with user=ann passwd: Tr0ub4dor&3 please", []string{"password_assignment=Tr0ub4dor"}},
		{"Password: Summer2024!", []string{"password_assignment=Summer2024!"}},
		{"the password=hunter2.", []string{"password_assignment=hunter2."}},
		{"passphrase: correcthorse\nnext line", []string{"password_assignment=correcthorse"}},
		{`{"password":"hunter2","user":"ann"}`, []string{"password_assignment=hunter2"}},
		{`{\"password\": \"hunter2\"}`, []string{"password_assignment=hunter2"}},
		{`{"user": "ann", "password": "hunt`, []string{"password_assignment=hunt"}}, // a stream chunk cut short
		{"?user=ann&pass=letmein&x=1", []string{"password_assignment=letmein"}},
		{"userPassword := \"qwerty123\"", []string{"password_assignment=qwerty123"}},
		{"if password == 'abc123' {", []string{"password_assignment=abc123"}},
		{"'password' => 'Pa55word'", []string{"password_assignment=Pa55word"}},
		{"password=%sEcret9 password=$ecret99", []string{"password_assignment=%sEcret9", "password_assignment=$ecret99"}},
		{"smtp_password: mailpass", []string{"password_assignment=mailpass"}},
		// look-alikes
		{"https://hooks.slack.com/services/ and https://api.slack.com/messaging/webhooks", nil},
		{"https://example.com/a?b=c https://example.com:8443/x ftp://ftp.example.org/pub https://h:8080/users/@ann", nil},
		{"postgres://user:@db/app postgres://user:password@localhost/db https://u:${PASS}@h https://u:****@h https://u:<password>@h", nil},
		{"password= password=\"\" password=*** password=<your password> password=${DB_PASSWORD} password=$DB_PASSWORD", nil},
		{"password=[REDACTED] password: [secret] passwd=null password=%s password={{pass}} password=xxxxxxxx", nil},
		{"Forgot password: click the link. Your password: is it strong?", nil},
		{"The password is hunter2 (no separator) and PWD=/home/ann", nil},
		{`"password": {"type": "string"}, "password":"string"`, nil},
		{"time 10:30, ratio a=b, pass: boarding, bypass=true", nil},
		{"compass=north", nil},
	})
}

// FuzzCredentials runs the credential detectors of this change on any text:
// spans stay in bounds, sorted and apart, and text with every span replaced
// by "[secret]" (what the packs do) holds no credential any more.
func FuzzCredentials(f *testing.F) {
	for _, seed := range []string{
		"", "sk-", "sk-ant-", "glpat-", "npm_", "hf_", "api_org_", "password=", "pwd:", "://", "a://b:c@d",
		"key sk-proj-" + strings.Repeat("aB3_", 20) + " and sk-ant-api03-" + strings.Repeat("Xy7_", 12),
		"glpat-xY7zQ2vB9nM4kL1pR8sT.01.abc npm_" + strings.Repeat("a1B2", 9) + " hf_" + strings.Repeat("aBcD", 8) + "aB",
		"https://hooks.slack.com/services/T0A1B2C3D/B4E5F6G7H/aBcDeFgHiJkLmNoPqRsTuVwX",
		"postgres://admin:s3cr3t@db:5432/app redis://:x%2Fy9@c ftp://a:b/c@d/e",
		`password=hunter2 passwd: "x y" {\"password\":\"abc\"} DB_PASSWORD = 'q' pass=abc&x=1 pwd=/tmp`,
		"password= password=*** password: click here\npassphrase: correcthorse",
	} {
		f.Add([]byte(seed))
	}
	names := []string{"openai_key", "anthropic_key", "gitlab_token", "npm_token", "huggingface_token", "slack_webhook", "password_assignment", "url_credentials"}
	s, err := NewSet(names, nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, text []byte) {
		spans := s.FindString(text, nil)
		var redacted []byte
		last := 0
		for i, sp := range spans {
			if sp.Start < 0 || sp.End > len(text) || sp.Start >= sp.End || (i > 0 && sp.Start < spans[i-1].End) {
				t.Fatalf("bad spans %v (len %d)", spans, len(text))
			}
			redacted = append(append(redacted, text[last:sp.Start]...), "[secret]"...)
			last = sp.End
		}
		if len(spans) == 0 {
			return
		}
		redacted = append(redacted, text[last:]...)
		if again := s.FindString(redacted, nil); len(again) > 0 {
			t.Fatalf("%q redacted to %q still holds %q", text, redacted, describe(s, string(redacted), again))
		}
	})
}

// The credential detectors find their values without allocating, and so do
// their near misses (placeholders, prose).
func TestCredentialsZeroAllocs(t *testing.T) {
	checkZeroAllocs(t, []string{
		"key sk-proj-" + strings.Repeat("aB3_x9Kq-Lm2", 6) + " sk-ant-api03-" + strings.Repeat("Xy7_Zq-3Wv", 5) + " glpat-xY7zQ2vB9nM4kL1pR8sT npm_" + strings.Repeat("a1B2", 9) + " hf_" + strings.Repeat("aBcD", 8) + "aB",
		"https://hooks.slack.com/services/T0A1B2C3D/B4E5F6G7H/aBcDeFgHiJkLmNoPqRsTuVwX postgres://admin:s3cr3t@db:5432/app mysql://a:b%2Fc9@h/x",
		`password=hunter2 passwd: "x y z" {"password":"abc123"} password=•••• password=*** Forgot password: click here`,
	}, 0)
}
