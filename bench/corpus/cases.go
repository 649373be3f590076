package corpus

// SpellingRules is the rule set SpellingCases are written for: one rule
// per detector the spellings hide, cards masked to their last four digits.
const SpellingRules = `
rules:
  - { id: card, select: { detect: [credit_card] }, action: { mask: { keep_last: 4 } } }
  - { id: ssn, select: { detect: [us_ssn] }, action: { redact: { with: "[ssn]" } } }
  - { id: iban, select: { detect: [iban] }, action: { redact: { with: "[iban]" } } }
  - { id: phone, select: { detect: [phone] }, action: { redact: { with: "[phone]" } } }
  - { id: email, select: { detect: [email] }, action: { redact: { with: "[email]" } } }
  - { id: ip, select: { detect: [ipv4] }, action: { redact: { with: "[ip]" } } }
`

// SpellingCase is a JSON body holding values (or decoys) in one class of
// spellings, and the body SpellingRules make of it.
type SpellingCase struct {
	Class, Body, Want string
}

// SpellingCases are the hand-written variants of each class of Spellings
// that the package rules tests and the .wasm tests (host-test) apply
// SpellingRules to: JSON escapes and raw characters (the second case holds a
// raw U+2060 WORD JOINER after its card), values and decoys.
var SpellingCases = []SpellingCase{
	{"invisible", `{"m":"card 4111111111111111\u200bthanks"}`,
		`{"m":"card ************1111\u200bthanks"}`},
	{"invisible", `{"m":"card 4111 1111 1111 1111⁠ok, ssn 123-45-6789\u00adplease"}`,
		`{"m":"card **** **** **** 1111⁠ok, ssn [ssn]\u00adplease"}`},
	{"invisible", `{"m":"iban DE89370400440532013000\ufeffthanks; call +1 415 555 2671\u2060now"}`,
		`{"m":"iban [iban]\ufeffthanks; call [phone]\u2060now"}`},
	{"invisible", `{"m":"ref\u200b4111111111111111\u200bend ip 10.1.2.3\u200bhost"}`,
		`{"m":"ref\u200b************1111\u200bend ip [ip]\u200bhost"}`},
	{"invisible", `{"m":"bidi 4111111111111111\u202eok tag 123-45-6789\udb40\udc41x"}`,
		`{"m":"bidi ************1111\u202eok tag [ssn]\udb40\udc41x"}`},
	{"invisible", `{"m":"order 4111111111111112\u200bthanks, ssn 666-45-6789\u00adx, DE89370400440532013001\u200bok"}`,
		`{"m":"order 4111111111111112\u200bthanks, ssn 666-45-6789\u00adx, DE89370400440532013001\u200bok"}`},
	{"glued", `{"m":"x4111111111111111y"}`,
		`{"m":"x************1111y"}`},
	{"glued", `{"m":"card4111-1111-1111-1111exp and id123-45-6789"}`,
		`{"m":"card****-****-****-1111exp and id[ssn]"}`},
	{"glued", `{"m":"pan5555555555554444end ssn078-05-1120x"}`,
		`{"m":"pan************4444end ssn[ssn]x"}`},
	{"glued", `{"m":"x4111111111111112y id666-45-6789 SKU-4111111111111111 ORD_123-45-6789"}`,
		`{"m":"x4111111111111112y id666-45-6789 SKU-4111111111111111 ORD_123-45-6789"}`},
	{"glued", `{"m":"sha 3f2a4111111111111111aabbccddeeff00112233 v1.2.3.4"}`,
		`{"m":"sha 3f2a4111111111111111aabbccddeeff00112233 v1.2.3.4"}`},
	{"card_separators", `{"m":"card 4111-1111 1111.1111"}`,
		`{"m":"card ****-**** ****.1111"}`},
	{"card_separators", `{"m":"card 4111  1111  1111  1111 and 4111 - 1111 - 1111 - 1111"}`,
		`{"m":"card ****  ****  ****  1111 and **** - **** - **** - 1111"}`},
	{"card_separators", `{"m":"card 4111/1111/1111/1111 or 4111_1111_1111_1111"}`,
		`{"m":"card ****/****/****/1111 or ****_****_****_1111"}`},
	{"card_separators", `{"q":"card=4111+1111+1111+1111&exp=12"}`,
		`{"q":"card=****+****+****+1111&exp=12"}`},
	{"card_separators", `{"m":"card\t4111\t1111\t1111\t1111 or\n4111\r\n1111\r\n1111\r\n1111\n"}`,
		`{"m":"card\t****\t****\t****\t1111 or\n****\r\n****\r\n****\r\n1111\n"}`},
	{"card_separators", `{"m":"card 4 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 ok"}`,
		`{"m":"card * * * * * * * * * * * * 1 1 1 1 ok"}`},
	{"card_separators", `{"m":"card 4111\u20091111\u30001111\u20141111"}`,
		`{"m":"card ****\u2009****\u3000****\u20141111"}`},
	{"card_separators", `{"m":"order 4111-1111 1111.1112, 4 1 1 1 1 1 1 1 1 1 1 1 1 1 1 2, 9400_1000_0000_0000_0000_00"}`,
		`{"m":"order 4111-1111 1111.1112, 4 1 1 1 1 1 1 1 1 1 1 1 1 1 1 2, 9400_1000_0000_0000_0000_00"}`},
	{"ssn_separators", `{"m":"ssn 123.45.6789 or 123/45/6789"}`,
		`{"m":"ssn [ssn] or [ssn]"}`},
	{"ssn_separators", `{"m":"ssn 123-45 6789, 123 - 45 - 6789, 123_45_6789"}`,
		`{"m":"ssn [ssn], [ssn], [ssn]"}`},
	{"ssn_separators", `{"q":"ssn=123+45+6789&x=1"}`,
		`{"q":"ssn=[ssn]&x=1"}`},
	{"ssn_separators", `{"m":"ssn 000.12.3456 666/12/3456 900-12 3456 123.00.4567, 12/31/2024"}`,
		`{"m":"ssn 000.12.3456 666/12/3456 900-12 3456 123.00.4567, 12/31/2024"}`},
	{"iban_separators", `{"m":"iban DE89-3704-0044-0532-0130-00"}`,
		`{"m":"iban [iban]"}`},
	{"iban_separators", `{"m":"iban DE89.3704.0044.0532.0130.00 or de89-3704-0044-0532-0130-00"}`,
		`{"m":"iban [iban] or [iban]"}`},
	{"iban_separators", `{"m":"iban DE89  3704 0044  0532 013000 or DE 89 370 400 440 532 013 000"}`,
		`{"m":"iban [iban] or [iban]"}`},
	{"iban_separators", `{"q":"iban=GB82+WEST+1234+5698+7654+32&x"}`,
		`{"q":"iban=[iban]&x"}`},
	{"iban_separators", `{"m":"iban DE89-3704-0044-0532-0130-01 de89.3704.0044.0532.0130.01 f5bef5e8-ad61-47ea-ad0d-f2f7d8f57dc0"}`,
		`{"m":"iban DE89-3704-0044-0532-0130-01 de89.3704.0044.0532.0130.01 f5bef5e8-ad61-47ea-ad0d-f2f7d8f57dc0"}`},
	{"phone_form", `{"q":"?tel=+1+415+555+2671&x=1"}`,
		`{"q":"?tel=[phone]&x=1"}`},
	{"phone_form", `{"q":"?tel=%2B44+20+7946+0958&a=%2B1+415+555+2671"}`,
		`{"q":"?tel=[phone]&a=[phone]"}`},
	{"phone_form", `{"q":"?tel=%28415%29+555-2671&b=020+7946+0958"}`,
		`{"q":"?tel=[phone]&b=[phone]"}`},
	{"phone_form", `{"q":"?q=1+2+3+4&n=12+345+6789&ts=2024-03-15+10:22:33&t=+1+115+555+2671"}`,
		`{"q":"?q=1+2+3+4&n=12+345+6789&ts=2024-03-15+10:22:33&t=+1+115+555+2671"}`},
	{"double_percent", `{"q":"?to=alice%2540example.com&x"}`,
		`{"q":"?to=[email]&x"}`},
	{"double_percent", `{"q":"?to=alice%252540example.com&next=bob%2540example%252Ecom"}`,
		`{"q":"?to=[email]&next=[email]"}`},
	{"double_percent", `{"q":"?card=4111%25201111%25201111%25201111&ssn=123%252d45%252d6789"}`,
		`{"q":"?card=****%********%********%****1111&ssn=[ssn]"}`},
	{"double_percent", `{"q":"?tel=%252B1%2520415%2520555%25202671&ip=10%252E0%252E0%252E1"}`,
		`{"q":"?tel=[phone]&ip=[ip]"}`},
	{"double_percent", `{"q":"100%25 done, 4111%25201111%25201111%25201112, %25zz, icon%25402x.png"}`,
		`{"q":"100%25 done, 4111%25201111%25201111%25201112, %25zz, icon%25402x.png"}`},
	{"percent_unicode", `{"q":"?card=4111%E2%80%8B1111%C2%A01111%E2%80%8B1111%E2%80%8Bthanks"}`,
		`{"q":"?card=****%**%**%******%**%******%**%**%**1111%E2%80%8Bthanks"}`},
	{"percent_unicode", `{"q":"?card=%EF%BC%94111%25E2%2580%258B1111 1111 1111&to=alice%EF%BC%A0example.com"}`,
		`{"q":"?card=%**%**%*****%****%****%******** **** 1111&to=[email]"}`},
	{"percent_unicode", `{"q":"?to=alice@exa%EF%BB%BFmple.com&from=bob"}`,
		`{"q":"?to=[email]&from=bob"}`},
	{"percent_unicode", `{"q":"?card=4111%E3%80%801111%E3%80%801111%E3%80%801112&x=%E2%80 %C3%A9%20"}`,
		`{"q":"?card=4111%E3%80%801111%E3%80%801111%E3%80%801112&x=%E2%80 %C3%A9%20"}`},
}
