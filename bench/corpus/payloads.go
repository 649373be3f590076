package corpus

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
)

// Payloads names the kinds of document the benchmark suite measures, in the
// order its tables list them. Payload generates each.
var Payloads = []string{"profile", "checkout", "chat", "events", "health"}

// payloadLists is the top-level member holding the records of each kind
// (chat documents are corpus.Chat: messages under "messages").
var payloadLists = map[string]string{
	"profile":  "users",
	"checkout": "orders",
	"chat":     "messages",
	"events":   "batches",
	"health":   "records",
}

// Payload returns a document of the given kind of about size bytes,
// generated from seed (the same arguments always yield the same bytes):
//
//   - profile: {"page":1,"users":[…]}, user profiles (name, email, phone,
//     SSN, address, IBAN, notes);
//   - checkout: {"orders":[…]}, orders with items, card, billing phone,
//     refund IBAN, customer email and IP;
//   - chat: an LLM chat transcript, corpus.Chat;
//   - events: {"batches":[…]}, analytics event batches (timestamps,
//     sessions, IPs, user agents, device MACs, bearer JWTs);
//   - health: {"records":[…]}, patient records (name, birth date, SSN,
//     contact, insurance member id, diagnoses, medications, vitals, notes).
//
// Records are added while that brings the document nearer to size; it
// holds at least one. It panics on an unknown kind.
func Payload(kind string, seed uint64, size int) []byte {
	if kind == "chat" {
		return Chat(seed, size)
	}
	list, ok := payloadLists[kind]
	if !ok {
		panic("corpus: unknown payload kind " + kind)
	}
	g := &gen{r: rand.New(rand.NewPCG(seed, 2)), c: &Corpus{}}
	head := `{"page":1,"` + list + `":[`
	if kind != "profile" {
		head = `{"` + list + `":[`
	}
	out := []byte(head)
	for i := 0; ; i++ {
		var rec any
		switch kind {
		case "profile":
			rec = g.profile()
		case "checkout":
			rec = g.checkout()
		case "events":
			rec = g.events()
		default:
			rec = g.health()
		}
		b, err := json.Marshal(rec)
		if err != nil {
			panic(err)
		}
		if with, without := len(out)+1+len(b)+2, len(out)+2; i > 0 && with-size > size-without {
			break // the document is nearer size without this record
		}
		if i > 0 {
			out = append(out, ',')
		}
		out = append(out, b...)
	}
	return append(out, "]}"...)
}

// List returns the top-level member that holds the records of a payload
// kind: the rule sets' paths start there.
func List(kind string) string { return payloadLists[kind] }

// health returns a patient record.
func (g *gen) health() any {
	var diagnoses, meds []any
	for range 1 + g.r.IntN(3) {
		diagnoses = append(diagnoses, map[string]any{
			"code":  g.decoy("icd10", fmt.Sprintf("%c%02d.%d", 'A'+rune(g.r.IntN(26)), g.r.IntN(100), g.r.IntN(10))),
			"since": g.decoy("timestamp", g.timestamp()),
		})
	}
	for range g.r.IntN(3) {
		meds = append(meds, map[string]any{
			"name": pick(g.r, "atorvastatin", "metformin", "lisinopril", "amoxicillin", "levothyroxine"),
			"dose": fmt.Sprintf("%d mg", 5*(1+g.r.IntN(40))),
		})
	}
	return map[string]any{
		"mrn":     g.decoy("id_number", "MRN-"+g.digits(8)),
		"patient": map[string]any{"name": g.name(), "dob": fmt.Sprintf("%d-%02d-%02d", 1940+g.r.IntN(70), 1+g.r.IntN(12), 1+g.r.IntN(28)), "ssn": g.plant("us_ssn", g.ssn()), "email": g.plant("email", g.email()), "phone": g.plant("phone", g.phone())},
		"address": map[string]any{"street": fmt.Sprintf("%d Oak Ave", 1+g.r.IntN(999)), "zip": g.digits(5)},
		"insurance": map[string]any{
			"member_id": g.chars(3, upperAlpha) + g.digits(9),
			"group":     g.digits(6),
		},
		"diagnoses":   diagnoses,
		"medications": meds,
		"vitals":      map[string]any{"bp": fmt.Sprintf("%d/%d", 100+g.r.IntN(50), 60+g.r.IntN(30)), "pulse": 50 + g.r.IntN(50), "temp_c": 36 + float64(g.r.IntN(30))/10},
		"notes":       g.sentence() + " " + g.sentence(),
	}
}

// Size is a payload size of the benchmark suite.
type Size struct {
	Name  string // 1KB, 16KB, 256KB, 4MB
	Bytes int
}

// Sizes are the payload sizes of the benchmark suite. The plugin's body
// limit is 1 MiB, so 4 MB is measured natively only.
var Sizes = []Size{{"1KB", 1 << 10}, {"16KB", 16 << 10}, {"256KB", 256 << 10}, {"4MB", 4 << 20}}
