package corpus

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
)

var (
	firstNames = []string{"alice", "bob", "carol", "dmitri", "eva", "farah", "giulia", "hiro", "ines", "jonas", "kwame", "lena", "mateo", "noor", "olga", "priya", "quentin", "rosa", "sven", "tomás", "ursula", "wei", "yusuf", "zoë"}
	lastNames  = []string{"smith", "garcia", "müller", "dubois", "rossi", "tanaka", "kowalski", "okafor", "silva", "nguyen", "johansson", "patel", "o'brien", "schmidt", "lee"}
	domains    = []string{"example.com", "mail.example.org", "corp.example.co.uk", "example.de", "post.example.fr", "example.com.br", "uni-example.edu", "example.io", "example.co.jp", "ex-ample.net"}
)

func asciiName(s string) string {
	r := strings.NewReplacer("á", "a", "ü", "u", "ë", "e", "'", "")
	return r.Replace(s)
}

func (g *gen) email() string {
	f, l := pick(g.r, firstNames...), pick(g.r, lastNames...)
	if g.r.IntN(5) > 0 {
		f, l = asciiName(f), asciiName(l) // one address in five keeps its accents
	}
	local := pick(g.r, f+"."+l, f+"_"+l+g.digits(2), f[:1]+l, f+"+"+pick(g.r, "news", "shop", "work"), strings.ToUpper(f[:1])+f[1:]+"."+strings.ToUpper(l[:1])+l[1:])
	v := local + "@" + pick(g.r, domains...)
	switch g.r.IntN(20) {
	case 0:
		v = local[:1] + "\u200b" + v[1:] // zero-width space inside: must still be found
	case 1:
		v = strings.NewReplacer("@", "%40", "+", "%2B").Replace(v) // as a URL's query carries it
	}
	return v
}

// luhnDigit returns the check digit that completes the digits d.
func luhnDigit(d string) byte {
	sum := 0
	for i := len(d) - 1; i >= 0; i-- {
		v := int(d[i] - '0')
		if (len(d)-1-i)%2 == 0 {
			v *= 2
			if v > 9 {
				v -= 9
			}
		}
		sum += v
	}
	return byte('0' + (10-sum%10)%10)
}

// cardDigits returns a valid card number of a random brand.
func (g *gen) cardDigits() string {
	type brand struct {
		prefix string
		n      int
	}
	b := pick(g.r,
		brand{"4", 16}, brand{"4", 16}, brand{"4", 13}, brand{"51", 16}, brand{"55", 16},
		brand{"2221", 16}, brand{"2720", 16}, brand{"34", 15}, brand{"37", 15}, brand{"6011", 16},
		brand{"65", 16}, brand{"3530", 16}, brand{"36", 14}, brand{"62", 16}, brand{"62", 19},
		brand{"6759", 18}, brand{"5018", 12},
	)
	d := b.prefix + g.digits(b.n-1-len(b.prefix))
	return d + string(luhnDigit(d))
}

// group writes d in groups of the given sizes joined by sep.
func group(d, sep string, sizes ...int) string {
	var parts []string
	for _, n := range sizes {
		if n >= len(d) {
			break
		}
		parts = append(parts, d[:n])
		d = d[n:]
	}
	return strings.Join(append(parts, d), sep)
}

func (g *gen) card() string {
	d := g.cardDigits()
	var v string
	switch {
	case len(d) == 15:
		v = pick(g.r, d, group(d, " ", 4, 6), group(d, "-", 4, 6))
	case len(d) == 14:
		v = pick(g.r, d, group(d, " ", 4, 6))
	default:
		v = pick(g.r, d, group(d, " ", 4, 4, 4, 4), group(d, "-", 4, 4, 4, 4))
	}
	switch g.r.IntN(20) {
	case 0:
		v = v[:2] + "\u200b" + v[2:]
	case 1:
		v = fullWidth(v)
	}
	return v
}

func fullWidth(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			r += 0xFF10 - '0'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// failingLuhn returns a 16-digit number with a card prefix that fails Luhn.
func (g *gen) failingLuhn() string {
	d := pick(g.r, "4", "51", "37", "6011") + g.digits(0)
	d += g.digits(15 - len(d))
	return d + string('0'+(luhnDigit(d)-'0'+1+byte(g.r.IntN(9)))%10)
}

var ibanCountries = []struct {
	cc     string
	layout string // d digit, a capital letter, c either
}{
	{"DE", "dddddddddddddddddd"}, {"GB", "aaaadddddddddddddd"}, {"FR", "dddddddddddddddddddddd" + "d"},
	{"ES", "dddddddddddddddddddd"}, {"IT", "addddddddddddddddddddddd"[:23]}, {"NL", "aaaadddddddddd"},
	{"BE", "dddddddddddd"}, {"CH", "ddddddddddddddddd"}, {"AT", "dddddddddddddddd"}, {"PL", "dddddddddddddddddddddddd"},
	{"NO", "ddddddddddd"}, {"MT", "aaaadddddcccccccccccccccccc"[:27]},
}

func (g *gen) iban() string {
	c := pick(g.r, ibanCountries...)
	var bban strings.Builder
	for _, k := range c.layout {
		switch k {
		case 'd':
			bban.WriteString(g.digits(1))
		case 'a':
			bban.WriteString(g.chars(1, upperAlpha))
		default:
			bban.WriteString(g.chars(1, upperDigits))
		}
	}
	s := bban.String() + c.cc + "00"
	r := 0
	for i := 0; i < len(s); i++ {
		b := s[i]
		if b >= 'A' && b <= 'Z' {
			r = (r*100 + int(b-'A'+10)) % 97
		} else {
			r = (r*10 + int(b-'0')) % 97
		}
	}
	iban := fmt.Sprintf("%s%02d%s", c.cc, 98-r, bban.String())
	if g.r.IntN(2) == 0 {
		iban = group(iban, " ", 4, 4, 4, 4, 4, 4, 4, 4)
	}
	if g.r.IntN(6) == 0 {
		iban = strings.ToLower(iban) // as people type it
	}
	return iban
}

// badIBAN returns an IBAN-shaped string with a wrong check.
func (g *gen) badIBAN() string {
	v := g.iban()
	i := strings.LastIndexAny(v, digits)
	return v[:i] + string('0'+(v[i]-'0'+1+byte(g.r.IntN(9)))%10) + v[i+1:]
}

func (g *gen) ssnDigits(valid bool) string {
	area := 1 + g.r.IntN(899)
	if area == 666 {
		area = 665
	}
	grp, serial := 1+g.r.IntN(99), 1+g.r.IntN(9999)
	if !valid {
		switch g.r.IntN(4) {
		case 0:
			area = 900 + g.r.IntN(100)
		case 1:
			area = 666
		case 2:
			area = 0
		default:
			grp = 0
		}
	}
	return fmt.Sprintf("%03d%02d%04d", area, grp, serial)
}

// ssn returns a valid SSN written AAA-GG-SSSS or AAA GG SSSS.
func (g *gen) ssn() string {
	d := g.ssnDigits(true)
	if g.r.IntN(4) == 0 {
		return group(d, " ", 3, 2)
	}
	return group(d, "-", 3, 2)
}

// nsn returns n digits starting with a non-zero digit.
func (g *gen) nsn(n int) string { return string(byte('1'+g.r.IntN(9))) + g.digits(n-1) }

func (g *gen) phone() string {
	var v string
	switch g.r.IntN(16) {
	case 0: // US national
		a, e, x := g.nxx(), g.nxx(), g.digits(4)
		v = pick(g.r, "("+a+") "+e+"-"+x, a+"-"+e+"-"+x, a+"."+e+"."+x, "1-"+a+"-"+e+"-"+x)
	case 1:
		v = "+1 " + pick(g.r, g.nxx()+" "+g.nxx()+" "+g.digits(4), "("+g.nxx()+") "+g.nxx()+"-"+g.digits(4), g.nxx()+"-"+g.nxx()+"-"+g.digits(4))
	case 2: // UK
		v = pick(g.r, "020 7"+g.digits(3)+" "+g.digits(4), "07700 9"+g.digits(5), "0161 496 "+g.digits(4))
	case 3:
		v = pick(g.r, "+44 20 7"+g.digits(3)+" "+g.digits(4), "+44 (0)20 7"+g.digits(3)+" "+g.digits(4), "+447700 9"+g.digits(5))
	case 4: // DE
		v = pick(g.r, "030 "+g.nsn(8), "0151 "+g.nsn(8), "089/"+g.nsn(7), "0221 "+g.digits(3)+" "+g.digits(4))
	case 5:
		v = pick(g.r, "+49 30 "+g.nsn(8), "+49 151 "+g.nsn(8), "+4989"+g.nsn(7))
	case 6: // FR
		d := "0" + string(byte('1'+g.r.IntN(7))) + g.digits(8)
		v = pick(g.r, group(d, " ", 2, 2, 2, 2), group(d, ".", 2, 2, 2, 2), "+33 "+d[1:2]+" "+group(d[2:], " ", 2, 2, 2))
	case 7: // IN
		m := string(byte('6'+g.r.IntN(4))) + g.digits(9)
		v = pick(g.r, m[:5]+" "+m[5:], "+91 "+m[:5]+" "+m[5:], "+91-"+m, "011-2"+g.digits(7))
	case 8: // BR
		ddd := string(byte('1'+g.r.IntN(9))) + string(byte('1'+g.r.IntN(9)))
		v = pick(g.r, "("+ddd+") 9"+g.digits(4)+"-"+g.digits(4), ddd+" 9"+g.digits(4)+"-"+g.digits(4), "("+ddd+") 3"+g.digits(3)+"-"+g.digits(4), "+55 "+ddd+" 9"+g.digits(4)+"-"+g.digits(4))
	case 9: // JP
		v = pick(g.r, "03-"+g.digits(4)+"-"+g.digits(4), "090-"+g.digits(4)+"-"+g.digits(4), "0120-"+g.digits(3)+"-"+g.digits(3), "+81 3-"+g.digits(4)+"-"+g.digits(4), "+81 90-"+g.digits(4)+"-"+g.digits(4))
	case 10: // AU
		v = pick(g.r, "(02) "+g.digits(4)+" "+g.digits(4), "02 "+g.digits(4)+" "+g.digits(4), "0412 "+g.digits(3)+" "+g.digits(3), "+61 412 "+g.digits(3)+" "+g.digits(3), "+61 2 "+g.digits(4)+" "+g.digits(4))
	case 11: // other E.164
		v = pick(g.r, "+34 6"+g.digits(2)+" "+g.digits(3)+" "+g.digits(3), "+39 3"+g.digits(2)+" "+g.digits(7), "+31 6 "+g.digits(8), "+86 13"+g.digits(9), "+7 9"+g.digits(2)+" "+g.digits(3)+"-"+g.digits(2)+"-"+g.digits(2))
	case 12:
		v = "+" + pick(g.r, "1"+g.nxx()+g.nxx()+g.digits(4), "44 7"+g.digits(9), "61 4"+g.digits(8), "353 8"+g.digits(8), "27 "+g.nsn(9))
		// the same numbers after an international call prefix instead of
		// '+' (glued to the number only when that is written in groups:
		// "0014155552671" is as likely a zero-padded id)
		glued := "00" + v[1:]
		if !strings.Contains(v, " ") {
			glued = "00 " + v[1:]
		}
		v = pick(g.r, v, v, glued, "00 "+v[1:], "011 "+v[1:])
	case 13: // obfuscated, or percent-encoded as in a URL's query
		a, e, x := g.nxx(), g.nxx(), g.digits(4)
		v = pick(g.r, fullWidth(a+"-"+e+"-"+x), a+"\u200b-"+e+"-"+x, "+44\u00a020\u00a07"+g.digits(3)+"\u00a0"+g.digits(4),
			"%2B1%20"+a+"%20"+e+"%20"+x)
	default:
		v = pick(g.r, "+1-"+g.nxx()+"-"+g.nxx()+"-"+g.digits(4), "+1."+g.nxx()+"."+g.nxx()+"."+g.digits(4))
	}
	return v
}

// nxx returns a NANP area code or exchange: three digits, the first 2–9.
func (g *gen) nxx() string { return string(byte('2'+g.r.IntN(8))) + g.digits(2) }

// barePhone returns a phone number written as digits only: NANP, a UK
// mobile, an Indian mobile, or an international number without its '+'.
func (g *gen) barePhone() string {
	return pick(g.r, g.nxx()+g.nxx()+g.digits(4), "07700"+g.digits(6), string(byte('6'+g.r.IntN(4)))+g.digits(9), "447700"+g.digits(6))
}

func (g *gen) ipv4() string {
	o := func() int { return g.r.IntN(256) }
	return fmt.Sprintf("%d.%d.%d.%d", 1+g.r.IntN(223), o(), o(), 1+g.r.IntN(254))
}

func (g *gen) ipv6() string {
	h := func() string { return strconv.FormatUint(uint64(g.r.IntN(0x10000)), 16) }
	switch g.r.IntN(4) {
	case 0:
		parts := make([]string, 8)
		for i := range parts {
			parts[i] = h()
		}
		parts[0] = "2001"
		return strings.Join(parts, ":")
	case 1:
		return "2001:db8:" + h() + "::" + h()
	case 2:
		return "fe80::" + strings.Join([]string{h(), h(), h(), "1" + g.chars(3, hexDigits)}, ":")
	default:
		return "2a02:" + h() + ":" + h() + "::" + g.chars(1, "123456789") + g.chars(3, hexDigits)
	}
}

func (g *gen) mac() string {
	b := make([]string, 6)
	for i := range b {
		b[i] = g.chars(2, hexDigits)
	}
	switch g.r.IntN(4) {
	case 0:
		return strings.ToUpper(strings.Join(b, "-"))
	case 1:
		s := strings.Join(b, "")
		return s[:4] + "." + s[4:8] + "." + s[8:]
	default:
		return strings.Join(b, ":")
	}
}

func (g *gen) jwt() string {
	enc := base64.RawURLEncoding.EncodeToString
	h := enc([]byte(pick(g.r, `{"alg":"HS256","typ":"JWT"}`, `{"alg":"RS256","kid":"`+g.chars(8, alnum)+`"}`, `{"typ":"JWT","alg":"ES256"}`)))
	p := enc(fmt.Appendf(nil, `{"sub":"%s","iat":%d,"scope":"read"}`, g.chars(10, alnum), 1700000000+g.r.IntN(1e8)))
	return h + "." + p + "." + g.chars(43, b64url)
}

func (g *gen) pem() string {
	label := pick(g.r, "RSA PRIVATE KEY", "PRIVATE KEY", "EC PRIVATE KEY", "OPENSSH PRIVATE KEY")
	var b strings.Builder
	b.WriteString("-----BEGIN " + label + "-----\n")
	for range 3 + g.r.IntN(4) {
		b.WriteString(g.chars(64, b64) + "\n")
	}
	b.WriteString(g.chars(20, b64) + "==\n-----END " + label + "-----")
	return b.String()
}

func (g *gen) uuid() string {
	return g.chars(8, hexDigits) + "-" + g.chars(4, hexDigits) + "-4" + g.chars(3, hexDigits) + "-a" + g.chars(3, hexDigits) + "-" + g.chars(12, hexDigits)
}

func (g *gen) timestamp() string {
	return fmt.Sprintf(pick(g.r, "%04d-%02d-%02dT%02d:%02d:%02dZ", "%04d-%02d-%02d %02d:%02d:%02d", "%04d/%02d/%02d %02d:%02d:%02d"),
		2020+g.r.IntN(6), 1+g.r.IntN(12), 1+g.r.IntN(28), g.r.IntN(24), g.r.IntN(60), g.r.IntN(60))
}

func (g *gen) version() string {
	return pick(g.r,
		fmt.Sprintf("%d.%d.%d", g.r.IntN(20), g.r.IntN(30), g.r.IntN(100)),
		fmt.Sprintf("v%d.%d.%d.%d", 1+g.r.IntN(9), g.r.IntN(30), g.r.IntN(100), g.r.IntN(100)),
		fmt.Sprintf("%d.%d.%d.%d.%d", 1+g.r.IntN(9), g.r.IntN(30), g.r.IntN(100), g.r.IntN(100), g.r.IntN(1000)),
		fmt.Sprintf("Chrome/%d.0.%d.%d", 100+g.r.IntN(30), 1000+g.r.IntN(9000), g.r.IntN(300)))
}

func (g *gen) price() string {
	return pick(g.r,
		fmt.Sprintf("$%d,%03d.%02d", 1+g.r.IntN(99), g.r.IntN(1000), g.r.IntN(100)),
		fmt.Sprintf("€%d.%02d", g.r.IntN(1000), g.r.IntN(100)),
		fmt.Sprintf("%d.%02d USD", g.r.IntN(100000), g.r.IntN(100)))
}

func (g *gen) sku() string {
	return pick(g.r, "SKU-"+g.digits(5)+"-"+pick(g.r, "XL", "M", "S"), "SKU-"+g.digits(3)+"-"+g.digits(3)+"-"+g.digits(4), "ITEM"+g.digits(9))
}

func (g *gen) tracking() string {
	return pick(g.r, "1Z"+g.chars(6, upperDigits)+g.digits(10), group("9400"+g.digits(18), " ", 4, 4, 4, 4, 4), "7"+g.digits(3)+" "+g.digits(4)+" "+g.digits(4))
}

func (g *gen) orderNumber() string {
	return pick(g.r, g.failingLuhn(), "ORD-"+g.digits(4)+"-"+g.digits(6), "#"+g.digits(8), g.digits(10), "0"+g.digits(9))
}
