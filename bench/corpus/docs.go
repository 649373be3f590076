package corpus

import (
	"fmt"
	"strings"
)

var fillers = []string{
	"Hi, I need some help with my last order.",
	"Sure, I can help with that. Could you tell me what went wrong?",
	"The package arrived yesterday but the box was damaged.",
	"I'm sorry to hear that! Let me check the status for you.",
	"Can you update the shipping address on my account?",
	"We released version 2 of the app last week; please update.",
	"The meeting is at 10:30 tomorrow, room 4B.",
	"It costs about 25 dollars, maybe 30 with tax.",
	"Thanks, that worked. Have a great day!",
	"Please summarize the following support ticket in three bullet points.",
	"I tried logging in 3 times and it failed each time.",
	"Our team of 12 people is moving to the new plan on Monday.",
	"Could you explain the difference between the two subscription tiers?",
	"The error says something about a timeout after 30 seconds.",
	"Let me know if there's anything else I can do for you.",
}

// sentence returns a filler sentence, sometimes with a decoy in it.
func (g *gen) sentence() string {
	s := pick(g.r, fillers...)
	if g.r.IntN(3) == 0 {
		s += " " + g.decoyPhrase()
	}
	return s
}

// decoyPhrase returns a short phrase holding one decoy.
func (g *gen) decoyPhrase() string {
	switch g.r.IntN(18) {
	case 16:
		return "Noted: " + g.decoy("date_or_number", pick(g.r,
			fmt.Sprintf("%02d.%02d.%d", 1+g.r.IntN(28), 1+g.r.IntN(12), 2000+g.r.IntN(30)),
			fmt.Sprintf("%02d/%02d/%d", 1+g.r.IntN(12), 1+g.r.IntN(28), 2000+g.r.IntN(30)),
			fmt.Sprintf("%d-%02d-%02d", 2000+g.r.IntN(30), 1+g.r.IntN(12), 1+g.r.IntN(28)),
			"Mon, 15 Mar 2024 10:22:33 GMT",
			g.digits(5)+"-"+g.digits(4),
			"978-"+g.digits(1)+"-"+g.digits(2)+"-"+g.digits(6)+"-"+g.digits(1),
			fmt.Sprintf("%d.%04d, %d.%04d", g.r.IntN(90), g.r.IntN(10000), g.r.IntN(180), g.r.IntN(10000)),
			fmt.Sprintf("%d,%03d,%03d", 1+g.r.IntN(999), g.r.IntN(1000), g.r.IntN(1000)),
			"INV-"+g.digits(4)+"-"+g.digits(6),
			fmt.Sprintf("%d:%02d:%02d.%03d", g.r.IntN(10), g.r.IntN(60), g.r.IntN(60), g.r.IntN(1000)),
		)) + "."
	case 17:
		return "Ref " + g.decoy("id_number", pick(g.r,
			g.digits(3)+" "+g.digits(3)+" "+g.digits(3),
			"555-0"+g.digits(3),
			"021000021",
			"0000 0000 0000 0000",
			"card ending "+g.digits(4),
			"#"+g.chars(6, hexDigits),
			"^"+fmt.Sprintf("%d.%d.%d", g.r.IntN(10), g.r.IntN(10), g.r.IntN(10)),
			"locker "+g.digits(5), // not "PO Box": a PO box is a street_address
			"+"+g.digits(2)+"%",
		)) + "."
	case 0:
		return "Order " + g.decoy("order_number", g.orderNumber()) + " is delayed."
	case 1:
		return "Request id " + g.decoy("uuid", g.uuid()) + "."
	case 2:
		return "Logged at " + g.decoy("timestamp", g.timestamp()) + "."
	case 3:
		return "Running " + g.decoy("version", g.version()) + " now."
	case 4:
		return "Total was " + g.decoy("price", g.price()) + "."
	case 5:
		return "Item " + g.decoy("sku", g.sku()) + " is back in stock."
	case 6:
		return "Tracking number " + g.decoy("tracking", g.tracking()) + "."
	case 7:
		d := g.ssnDigits(false)
		return "Case " + g.decoy("invalid_ssn", pick(g.r, d[:3]+"-"+d[3:5]+"-"+d[5:], d)) + " was closed."
	case 8:
		return "Ticket " + g.decoy("nine_digits", g.ssnDigits(true)) + " was reopened."
	case 9:
		return "Ping " + g.decoy("handle", pick(g.r, "@"+asciiName(pick(g.r, firstNames...)), "user@localhost", "icon@2x.png", "react@18.2.0", "see docs at example.com")) + "."
	case 10:
		return "Old account " + g.decoy("bad_iban", g.badIBAN()) + " is closed."
	case 11:
		return "Uptime " + g.decoy("clock", fmt.Sprintf("%02d:%02d:%02d", g.r.IntN(24), g.r.IntN(60), g.r.IntN(60))) + "."
	case 12:
		return "Use " + g.decoy("code", pick(g.r, "std::vector", "dead::beef", "::1", "a::b::c")) + " here."
	case 13:
		return "Token " + g.decoy("short_secret", pick(g.r, "sk_live_"+g.chars(8, alnum), "AKIA"+g.chars(8, upperDigits), "ghp_"+g.chars(12, alnum), "AIza"+g.chars(10, alnum), "eyJub3QiOiJqd3QifQ")) + " expired."
	case 14:
		return "Call extension " + g.decoy("extension", "x"+g.digits(4)) + " or room " + g.decoy("room", g.digits(3)+"-"+g.digits(2)) + "."
	default:
		return "Score " + g.decoy("decimal", fmt.Sprintf("%d.%d", g.r.IntN(1000), g.r.IntN(1000000))) + "."
	}
}

func (g *gen) name() string {
	f, l := pick(g.r, firstNames...), pick(g.r, lastNames...)
	return strings.ToUpper(f[:1]) + f[1:] + " " + strings.ToUpper(l[:1]) + l[1:]
}

func (g *gen) profile() any {
	return map[string]any{
		"id":         g.decoy("uuid", g.uuid()),
		"name":       g.name(),
		"email":      g.plant("email", g.email()),
		"phone":      g.plant("phone", g.phone()),
		"ssn":        g.plant("us_ssn", g.ssn()),
		"created_at": g.decoy("timestamp", g.timestamp()),
		"app":        map[string]any{"version": g.decoy("version", g.version()), "build": g.r.IntN(10000)},
		"address": map[string]any{
			"street": fmt.Sprintf("%d Main St", 1+g.r.IntN(999)),
			"zip":    g.digits(5),
		},
		"bank":  map[string]any{"iban": g.plant("iban", g.iban()), "holder": g.name()},
		"notes": g.sentence() + " " + g.plantText(pick(g.r, valued...)),
	}
}

func (g *gen) checkout() any {
	var card any
	if g.r.IntN(4) == 0 {
		card = g.plantNumber("credit_card", g.cardDigits())
	} else {
		card = g.plant("credit_card", g.card())
	}
	items := []any{}
	for range 1 + g.r.IntN(3) {
		items = append(items, map[string]any{"sku": g.decoy("sku", g.sku()), "price": g.decoy("price", g.price()), "qty": 1 + g.r.IntN(3)})
	}
	return map[string]any{
		"order_id":     g.decoy("order_number", g.orderNumber()),
		"order_number": g.decoyNumber("order_number", g.failingLuhn()),
		"placed_at":    g.decoyNumber("unix_ms", fmt.Sprint(1600000000000+g.r.Int64N(2e11))),
		"items":        items,
		"payment":      map[string]any{"card_number": card, "expiry": fmt.Sprintf("%02d/%02d", 1+g.r.IntN(12), 25+g.r.IntN(8)), "billing_phone": g.plant("phone", g.phone())},
		"refund_to":    g.plant("iban", g.iban()),
		"shipping":     map[string]any{"tracking": g.decoy("tracking", g.tracking()), "note": g.sentence()},
		"customer":     map[string]any{"email": g.plant("email", g.email()), "ip": g.plant("ipv4", g.ipv4())},
	}
}

func (g *gen) chat(n int) any {
	msgs := []any{map[string]any{"role": "system", "content": "You are a helpful support assistant. " + g.sentence()}}
	for i := range n {
		content := g.sentence()
		if i%2 == 0 {
			content += " " + g.plantText(pick(g.r, valued...))
		}
		content += " " + g.sentence()
		msgs = append(msgs, map[string]any{"role": pick(g.r, "user", "assistant"), "content": content})
	}
	return map[string]any{"model": "gpt-4o", "conversation_id": g.decoy("uuid", g.uuid()), "messages": msgs}
}

func (g *gen) events() any {
	var evs []any
	for range 3 + g.r.IntN(4) {
		ev := map[string]any{
			"ts":         g.decoy("timestamp", g.timestamp()),
			"session":    g.decoy("uuid", g.uuid()),
			"ip":         g.plant("ipv4", g.ipv4()),
			"user_agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 " + g.decoy("version", g.version()),
			"latency_ms": g.r.IntN(900),
		}
		switch g.r.IntN(3) {
		case 0:
			ev["client_ip6"] = g.plant("ipv6", g.ipv6())
		case 1:
			ev["device"] = map[string]any{"mac": g.plant("mac_address", g.mac())}
		default:
			ev["headers"] = map[string]any{"authorization": "Bearer " + g.plant("jwt", g.jwt())}
		}
		evs = append(evs, ev)
	}
	return map[string]any{"batch": g.decoy("uuid", g.uuid()), "events": evs}
}

func (g *gen) deployLog() any {
	var lines []any
	for range 4 + g.r.IntN(4) {
		d := pick(g.r, "aws_access_key_id", "github_token", "stripe_key", "slack_token", "google_api_key", "jwt", "ipv6", "mac_address")
		lines = append(lines, map[string]any{
			"at":  g.decoy("timestamp", g.timestamp()),
			"msg": fmt.Sprintf("step %d: %s", 1+g.r.IntN(9), g.plantText(d)),
		})
	}
	return map[string]any{
		"service": "billing-api",
		"version": g.decoy("version", g.version()),
		"config":  map[string]any{"private_key": g.plant("private_key", g.pem()), "region": "eu-west-1"},
		"log":     lines,
	}
}
