package rules

import "testing"

func TestStreamQuick(t *testing.T) {
	p, err := Compile([]byte("version: 1\nrules:\n  - {id: e, select: {keys: [email]}, action: redact}\n"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	body := "\ufeff: hi\r\ndata: {\"email\":\"a@x.com\"}\r\n\r\ndata: [DONE]\n\nevent: x\ndata:{\"a\":1,\ndata: \"email\":\"b@y.z\"}\r\r"
	whole, _, err := p.ApplyAs(BodyEventStream, []byte(body), Input{Direction: Request}, p.Apply)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%q", whole)
	for size := 1; size < 10; size++ {
		s := p.NewStream(BodyEventStream, Input{Direction: Request}, p.Apply)
		var got []byte
		for i := 0; i < len(body); i += size {
			o, err := s.Write([]byte(body[i:min(i+size, len(body))]))
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, o...)
		}
		o, err := s.Close()
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, o...)
		if string(got) != string(whole) {
			t.Fatalf("size %d: %q", size, got)
		}
	}
}
