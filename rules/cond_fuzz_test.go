package rules

import (
	"encoding/json"
	"strings"
	"testing"
)

// fuzzCondRules: identity conditions only ever turn on keep rules; the
// other conditions (and the minimize list) read what is not identity.
const fuzzCondRules = `jwt: {provider_metadata_key: p}
trust_headers: [x-role]
consent: {cookie: cmp}
minimize:
  - id: m
    when: {path: "/min/**"}
    direction: [request, response]
    allow: ["$.id", "$.items[*].sku", "$..keep", "$.user", "$.card"]
rules:
  - {id: k1, select: {keys: [card]}, when: {principal: ["spiffe://a/*"]}, action: keep}
  - {id: k2, select: {paths: ["$.user"]}, when: {claim: {roles: support}}, action: keep}
  - {id: k3, select: {keys: [email]}, unless: {header: {x-role: intern}}, action: keep}
  - {id: k4, select: {keys: [ssn]}, when: {claim: {"a.b": {glob: "x*"}}, header: {x-role: {present: true}}}, action: keep}
  - {id: k5, select: {keys: [name]}, unless: {principal: ["spiffe://b/*"], claim: {sub: {present: true}}}, action: keep}
  - {id: r1, select: {keys: [device_id]}, when: {consent: {gpc: true}}, action: remove}
  - {id: r2, select: {keys: [ad_id]}, unless: {consent: {purposes: [ads]}}, action: remove}
  - {id: r3, select: {keys: [phone]}, when: {method: [GET], host: ["*.x.io"], status: [2xx]}, action: redact}
  - {id: r4, select: {keys: [card, email, ssn, name]}, when: {path: ["/api/**"]}, action: redact}
  - {id: all, select: {keys: [card, email, ssn, user, name, phone, keep]}, action: redact}
`

// fuzzHeaders reads "name:value" lines.
func fuzzHeaders(s string) [][2]string {
	var h [][2]string
	for line := range strings.SplitSeq(s, "\n") {
		if name, value, ok := strings.Cut(line, ":"); ok {
			h = append(h, [2]string{name, value})
		}
	}
	return h
}

// FuzzConditions: arbitrary attributes and bodies never panic; outputs are
// valid JSON; the same exchange without its identity (no peer SANs, no
// claims, no trusted header) never gets fewer values acted on, since
// identity only turns keep rules on.
func FuzzConditions(f *testing.F) {
	f.Add([]byte(`{"card":"4111","user":{"email":"a@x.io","name":"n"},"device_id":1,"ad_id":2,"phone":"5"}`),
		"GET", "/api/x", "a.x.io:443", "x-role:admin\nsec-gpc:1\ncookie:cmp=ads", "spiffe://a/b", []byte(`{"roles":["support"],"a":{"b":"xy"},"sub":"u"}`), 200)
	f.Add([]byte(`{"id":1,"items":[{"sku":1,"card":2}],"keep":{"ssn":3},"x":[1,{"email":4}]}`),
		"post", "/min/%2e%2e/api", "X.IO", "X-Role:intern\nx-role:admin", "spiffe://b/c\nspiffe://a/", []byte(`{"roles":"support","roles":1}`), 404)
	f.Add([]byte(`[{"name":"a"},{"ssn":[1,2]}]`), "", "//h/min/x", "", "cookie:cmp=ads%2Cx; cmp=y", "", []byte(`{"a":`), 0)
	p := mustCompile(f, fuzzCondRules)
	f.Fuzz(func(t *testing.T, body []byte, method, path, host, headers, sans string, claims []byte, status int) {
		r := &RequestAttributes{Method: method, Path: path, Host: host, Headers: fuzzHeaders(headers), JWTClaims: claims}
		if sans != "" {
			r.PeerURISANs = strings.Split(sans, "\n")
		}
		anon := *r
		anon.PeerURISANs, anon.JWTClaims, anon.Headers = nil, nil, nil
		for _, h := range r.Headers {
			if !strings.EqualFold(h[0], "x-role") {
				anon.Headers = append(anon.Headers, h)
			}
		}
		for _, d := range []Direction{Request, Response} {
			out, rep, err := p.Apply(body, Input{Direction: d, Request: r, Status: status})
			aout, arep, aerr := p.Apply(body, Input{Direction: d, Request: &anon, Status: status})
			if (err == nil) != (aerr == nil) {
				t.Fatalf("%v: error with identity %v, without %v", d, err, aerr)
			}
			if err != nil {
				continue
			}
			if !json.Valid(out) || !json.Valid(aout) {
				t.Fatalf("%v: invalid output %q / %q", d, out, aout)
			}
			if arep.Total() < rep.Total() {
				t.Fatalf("%v: without identity %d values acted on, with %d\n%s\n%s", d, arep.Total(), rep.Total(), aout, out)
			}
		}
	})
}

// FuzzMinimize: minimizing never panics, keeps the body valid JSON, and a
// minimized body has nothing left to remove.
func FuzzMinimize(f *testing.F) {
	for _, s := range []string{
		`{"id":1,"items":[{"sku":1,"card":2},3],"keep":{"ssn":3},"x":[1,{"email":4}]}`,
		`[{"id":1,"pw":"x"},{"pw":"y"}]`, `{"a" : 1 , "id" : 2 , "b" : [ ] }`, `{"ID":1,"\u0069d":2,"i\u200bd":3}`,
		`{"m":[[{"v":1,"w":2}],[{"w":3}]],"n":{"o":{"p":{"keep":1,"q":2}}}}`, `"x"`, `[]`, `{}`,
	} {
		f.Add([]byte(s))
	}
	p := mustCompile(f, `minimize:
  - id: m
    allow: ["$.id", "$.items[*].sku", "$..keep", "$.m[*][*].v", "$[*].id", "$.n.o"]
rules:
  - {id: r, select: {keys: [zzz]}, action: redact}
`)
	f.Fuzz(func(t *testing.T, body []byte) {
		out, rep, err := p.Apply(body, Input{Direction: Response})
		if err != nil {
			if json.Valid(body) && !strings.Contains(err.Error(), "deep") {
				t.Fatalf("valid body failed: %v", err)
			}
			return
		}
		if !json.Valid(out) {
			t.Fatalf("invalid output %q", out)
		}
		again, rep2, err := p.Apply(out, Input{Direction: Response})
		if err != nil || string(again) != string(out) || len(rep2.Minimized) != 0 {
			t.Fatalf("minimized twice: %q -> %q (%v, %+v; first %+v)", out, again, err, rep2.Minimized, rep.Minimized)
		}
	})
}

// evalAtomsRef evaluates every atom one by one (condEnv.eval), the
// reference the index is held to.
func (p *Program) evalAtomsRef(in Input, vals []tri) {
	elems := []claimElem{}
	env := condEnv{in: in, req: in.Request, slots: make([]claimSlot, p.claimSlots), claimPaths: p.claimPaths, hslots: make([]headerSlot, p.headerSlots), elems: &elems,
		caseBuf: make([]byte, maxMethodLen+maxHostLen+maxIndexedPath)}
	for i := range p.atoms {
		vals[i] = env.eval(&p.atoms[i], p.consent)
	}
}

// indexRules has atoms of every kind the index handles, and slow ones on
// the same attributes.
const indexRules = `jwt: {provider_metadata_key: p}
trust_headers: [x-role]
rules:
  - {id: a, select: {keys: [a]}, when: {method: [GET, post, M1]}, action: redact}
  - {id: b, select: {keys: [b]}, when: {method: PUT, host: [api.x.io, "Api.Y.io", "*.z.io"]}, action: redact}
  - {id: c, select: {keys: [c]}, when: {host: [api.x.io, "[::1]"]}, action: redact}
  - {id: d, select: {keys: [d]}, when: {header: {x-role: [admin, ops]}}, action: redact}
  - {id: e, select: {keys: [e]}, when: {header: {x-role: intern}}, action: redact}
  - {id: f, select: {keys: [f]}, when: {header: {x-tenant: [acme, "a b"], x-other: {glob: "x*"}}}, action: redact}
  - {id: g, select: {keys: [g]}, when: {header: {x-tenant: globex}}, action: redact}
  - {id: h, select: {keys: [h]}, when: {claim: {roles: [support, admin], "a.b": "1"}}, action: redact}
  - {id: i, select: {keys: [i]}, when: {claim: {roles: agent, sub: {present: true}}}, action: redact}
  - {id: j, select: {keys: [j]}, when: {claim: {"a.b": [true, 3, "x"]}}, action: redact}
  - {id: k, select: {keys: [k]}, when: {header: {x-role: {present: true}}}, action: redact}
  - {id: l, select: {keys: [l]}, when: {path: ["/api/**", "/API/v1/users", "/**"]}, action: redact}
  - {id: m, select: {keys: [m]}, when: {path: ["/api/v1/**", "/x/*/y"]}, action: redact}
  - {id: n, select: {keys: [n]}, when: {path: ["/a/b", "/Ä/**"]}, action: redact}
`

// FuzzConditionIndex: the index gives every atom the value the one by one
// evaluation gives it.
func FuzzConditionIndex(f *testing.F) {
	f.Add(true, "GET", "api.x.io:80", "x-role:admin\nx-tenant:acme\nx-tenant:acme", []byte(`{"roles":["support","agent"],"a":{"b":"1"},"sub":"u"}`), "/api/v1/users?x")
	f.Add(true, "post", "API.Y.IO.", "X-Role:ops\nx-role:ops\nx-tenant: a b \nx-other:xy", []byte(`{"roles":"admin","a":{"b":true}}`), "/API/V1")
	f.Add(false, "", "", "", []byte(`{"roles":`), "")
	f.Add(true, "pUt", "[::1]:8080", "x-tenant:globex\nx-tenant:acme", []byte(`{"a":{"b":3},"a":{"b":3}}`), "//h/a/b")
	f.Add(true, "GET", "", "", []byte(nil), "/%C3%84/x;p=1/../b")
	p := mustCompile(f, indexRules)
	f.Fuzz(func(t *testing.T, hasReq bool, method, host, headers string, claims []byte, path string) {
		in := Input{Direction: Request}
		if hasReq {
			in.Request = &RequestAttributes{Method: method, Host: host, Headers: fuzzHeaders(headers), JWTClaims: claims, Path: path}
		}
		got, want := make([]tri, len(p.atoms)), make([]tri, len(p.atoms))
		sc := &condScratch{slots: make([]claimSlot, p.claimSlots), hslots: make([]headerSlot, p.headerSlots)}
		p.evalAtoms(in, got, sc)
		p.evalAtomsRef(in, want)
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("atom %d (kind %d): index %d, one by one %d", i, p.atoms[i].kind, got[i], want[i])
			}
		}
	})
}
