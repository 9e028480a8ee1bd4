package parley

// Card numbers in chat text are masked before a message is stored or
// relayed, in both directions: a shopper who types their card number to
// "help" must not leave it in the shop's transcripts, mails and search
// index (PCI DSS: a PAN may not be stored in the clear). The client
// masks before it sends, so the number never leaves the device, and the
// server masks again, for clients that do not.
//
// A card number is 13 to 19 ASCII digits, alone or in groups split by
// single spaces or dashes ("4111 1111 1111 1111", "4111-1111-1111-1111"),
// not part of a longer run of digits, that passes the Luhn check. All its
// digits but the last four become "•", the separators stay:
// "•••• •••• •••• 1111". Order numbers pass the Luhn check one time in
// ten; masking one is the price of never keeping a card.

// CardMask replaces a masked digit.
const CardMask = '•'

// MaskCards returns text with the card numbers in it masked.
func MaskCards(text string) string {
	var out []byte // nil until something is masked
	copied := 0    // text[:copied] is in out
	for i := 0; i < len(text); {
		if !isDigit(text[i]) || i > 0 && isDigit(text[i-1]) {
			i++
			continue
		}
		end, digits := cardRun(text, i)
		if digits < 13 || digits > 19 || end < len(text) && isDigit(text[end]) || !luhn(text[i:end]) {
			i = end
			continue
		}
		out = append(out, text[copied:i]...)
		seen := 0
		for j := i; j < end; j++ {
			c := text[j]
			if !isDigit(c) {
				out = append(out, c)
				continue
			}
			if seen++; seen <= digits-4 {
				out = append(out, string(CardMask)...)
			} else {
				out = append(out, c)
			}
		}
		i, copied = end, end
	}
	if out == nil {
		return text
	}
	return string(append(out, text[copied:]...))
}

// cardRun reads the run of digits starting at i, in groups split by
// single spaces or dashes, and returns where it ends and how many digits
// it holds. A separator not followed by a digit is not part of the run.
func cardRun(text string, i int) (end, digits int) {
	end = i
	for j := i; j < len(text); {
		switch c := text[j]; {
		case isDigit(c):
			digits++
			j++
			end = j
		case (c == ' ' || c == '-') && j+1 < len(text) && isDigit(text[j+1]) && j > i && isDigit(text[j-1]):
			j++
		default:
			return end, digits
		}
	}
	return end, digits
}

// luhn checks the digits of s (other bytes skipped) with the Luhn
// algorithm.
func luhn(s string) bool {
	sum, double := 0, false
	for j := len(s) - 1; j >= 0; j-- {
		c := s[j]
		if !isDigit(c) {
			continue
		}
		d := int(c - '0')
		if double {
			if d *= 2; d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return sum%10 == 0
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }
