package detect

import (
	"encoding/base64"
	"strings"
	"testing"
)

func TestSecrets(t *testing.T) {
	b64 := base64.RawURLEncoding.EncodeToString
	hs := b64([]byte(`{"alg":"HS256","typ":"JWT"}`))
	none := b64([]byte(`{"alg":"none"}`))
	noAlg := b64([]byte(`{"typ":"JWT"}`))
	payload := b64([]byte(`{"sub":"1234567890"}`))
	pem := "-----BEGIN RSA PRIVATE KEY-----\nMIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu\nKUpRKfFLfRYC9AIKjbJTWit+CqvjWYzvQwECAwEAAQ==\n-----END RSA PRIVATE KEY-----"
	runCases(t, []detectCase{
		{"key AKIAIOSFODNN7EXAMPLE.", []string{"aws_access_key_id=AKIAIOSFODNN7EXAMPLE"}},
		{"ASIAY34FZKBOKMUTVV7A", []string{"aws_access_key_id=ASIAY34FZKBOKMUTVV7A"}},
		{"AIzaSyDaGmWKa4JsXZ-HjGw7ISLn_3namBGewQe", []string{"google_api_key=AIzaSyDaGmWKa4JsXZ-HjGw7ISLn_3namBGewQe"}},
		{"token ghp_" + strings.Repeat("a1B2", 9), []string{"github_token=ghp_" + strings.Repeat("a1B2", 9)}},
		{"github_pat_" + strings.Repeat("A", 22) + "_" + strings.Repeat("b", 59), []string{"github_token=github_pat_" + strings.Repeat("A", 22) + "_" + strings.Repeat("b", 59)}},
		{"sk_live_4eC39HqLyjWDarjtT1zdp7dc", []string{"stripe_key=sk_live_4eC39HqLyjWDarjtT1zdp7dc"}},
		{"rk_test_" + strings.Repeat("x", 30), []string{"stripe_key=rk_test_" + strings.Repeat("x", 30)}},
		{"xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx", []string{"slack_token=xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx"}},
		{"Bearer " + hs + "." + payload + ".c2lnbmF0dXJl", []string{"jwt=" + hs + "." + payload + ".c2lnbmF0dXJl"}},
		{none + "." + payload + ".", []string{"jwt=" + none + "." + payload + "."}},
		{"cfg " + pem + " end", []string{"private_key=" + pem}},
		{"-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nBKcwggSjAgEAAoIBAQC7", []string{"private_key=-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nBKcwggSjAgEAAoIBAQC7"}},
		{"whsec_" + strings.Repeat("Ab1+", 8), []string{"stripe_key=whsec_" + strings.Repeat("Ab1+", 8)}},
		// a key stored escaped twice: the JSON text holds "\\n", the detector sees "\n"
		{`-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nBKcwggSjAgEAAoIBAQC7\n-----END PRIVATE KEY-----\n`,
			[]string{`private_key=-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nBKcwggSjAgEAAoIBAQC7\n-----END PRIVATE KEY-----`}},
		{`-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nBKcwggSjAgEAAoIBAQC7`,
			[]string{`private_key=-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nBKcwggSjAgEAAoIBAQC7`}},
		// negatives
		{"AKIAIOSFODNN7EXAMPL AKIAIOSFODNN7EXAMPLEX xAKIAIOSFODNN7EXAMPLE", nil},
		{"ghp_short sk_live_short sk_prod_" + strings.Repeat("x", 20) + " whsec_short", nil},
		{"xoxb-short xox-1234567890-123", nil},
		{noAlg + "." + payload + ".c2ln", nil},  // no alg
		{hs + "." + payload + ".", nil},         // signed alg, no signature
		{hs + "." + payload, nil},               // two segments
		{hs + "." + payload + ".a.b", nil},      // five segments
		{"eyJub3QganNvbg.eyJ4IjoxfQ.c2ln", nil}, // header not JSON
		{"-----BEGIN PUBLIC KEY-----\nMIIBIjANBg\n-----END PUBLIC KEY-----", nil},
		{"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----", nil},
	})
}
