package parley

import (
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// VisitorContext is what agents see beside a conversation: where the
// visitor has been this session, their device, and what the shop's page
// told us (Parley('set'), Parley('cart'), Parley('track')). Every field
// but UserAgent and Language comes from the visitor's browser: it is shown
// as text, never trusted.
type VisitorContext struct {
	// Pages are the last MaxContextPages distinct pages, newest last.
	Pages    []PageVisit `json:"pages,omitempty"`
	Referrer string      `json:"referrer,omitempty"`
	// UserAgent is the raw header of the socket's upgrade (≤ MaxUserAgent
	// bytes); Browser and OS are parsed from it (ParseUserAgent).
	UserAgent string `json:"userAgent,omitempty"`
	Browser   string `json:"browser,omitempty"`
	OS        string `json:"os,omitempty"`
	// Language is the first tag of the upgrade's Accept-Language.
	Language string `json:"language,omitempty"`
	// Lang is the language the widget speaks to the visitor (app/i18n's
	// code: en, pl, ro, sl, de, fr, es), their emails' language; "" before
	// a widget said it (English).
	Lang string `json:"lang,omitempty"`
	// TimeZone (an IANA name) and UTCOffset (minutes east of UTC) are the
	// widget's: the visitor's local time is now + UTCOffset.
	TimeZone   string            `json:"timeZone,omitempty"`
	UTCOffset  int               `json:"utcOffset,omitempty"`
	Attributes map[string]string `json:"attributes,omitempty"`
	Cart       *Cart             `json:"cart,omitempty"`
	// Events are the last MaxContextEvents tracked events, newest last.
	Events []TrackedEvent `json:"events,omitempty"`
}

// PageVisit is one page of the visitor's session.
type PageVisit struct {
	URL   string    `json:"url"`
	Title string    `json:"title,omitempty"`
	At    time.Time `json:"at"`
}

// Cart is the shop's cart as its page reports it. Prices and the total
// are decimal strings in the cart's currency ("19.99", "1500" for yen):
// a float loses cents and currencies differ in their minor units, so
// Parley never computes with them, it only shows them.
type Cart struct {
	Items    []CartItem `json:"items"`
	Total    Amount     `json:"total,omitempty"`
	Currency string     `json:"currency,omitempty"`
}

// CartItem is one line of a cart.
type CartItem struct {
	Name  string `json:"name"`
	Qty   int    `json:"qty"`
	Price Amount `json:"price,omitempty"`
	URL   string `json:"url,omitempty"`
}

// Amount is a non-negative decimal, kept as the page wrote it. In JSON it
// may be a string ("19.99") or a number (19.99): a shop's page hands over
// whichever it has, and the literal is kept either way.
type Amount string

// UnmarshalJSON accepts a JSON string or number.
func (a *Amount) UnmarshalJSON(b []byte) error {
	s := string(b)
	if s == "null" {
		*a = ""
		return nil
	}
	if len(s) >= 2 && s[0] == '"' {
		u, err := strconv.Unquote(s)
		if err != nil {
			return Errorf(EInvalid, "An amount is not a valid string.")
		}
		*a = Amount(u)
		return nil
	}
	*a = Amount(s)
	return nil
}

// TrackedEvent is one Parley('track', name, props).
type TrackedEvent struct {
	Name  string            `json:"name"`
	Props map[string]string `json:"props,omitempty"`
	At    time.Time         `json:"at,omitzero"`
}

// Device is what only the visitor's browser knows of its clock.
type Device struct {
	TimeZone  string `json:"timeZone,omitempty"`
	UTCOffset int    `json:"utcOffset"`
}

// ContextUpdate is a partial change of a VisitorContext: what a visitor's
// context frame carries, and what the server adds from the upgrade
// request. Unset parts leave the context as it is.
type ContextUpdate struct {
	// Attributes are merged: an empty value deletes its key.
	Attributes map[string]string
	// Cart replaces the cart; one without items clears it.
	Cart   *Cart
	Track  []TrackedEvent
	Device *Device
	// Referrer, UserAgent and Language are set when not "".
	Referrer  string
	UserAgent string
	Language  string
	// Lang is the widget's language, a supported code (the server checks
	// it); set when not "".
	Lang string
	// Page is appended to Pages (SetPage's).
	Page *Page
}

// Bounds of a visitor's context.
const (
	MaxContextPages      = 20
	MaxContextEvents     = 50
	MaxAttributes        = 50
	MaxAttributeKey      = 40
	MaxAttributeValue    = 200 // runes
	MaxEventProps        = 20
	MaxEventName         = 60
	MaxTrackPerFrame     = 20
	MaxCartItems         = 50
	MaxCartItemName      = 200 // runes
	MaxCartQty           = 9999
	MaxContextURL        = 2048
	MaxUserAgent         = 300
	MaxLanguage          = 35
	MaxTimeZone          = 64
	MaxUTCOffset         = 840 // minutes: UTC+14
	maxAmountIntDigits   = 12
	maxAmountFracDigits  = 4
	maxContextTitleRunes = 300
)

// CheckAttributes validates attributes to merge: keys of letters, digits,
// '_', '.' and '-', values of text without control characters. Empty
// values (deletions) pass.
func CheckAttributes(attrs map[string]string) error {
	if len(attrs) > MaxAttributes {
		return Errorf(ETooLarge, "There are %d attributes; the limit is %d.", len(attrs), MaxAttributes)
	}
	for k, v := range attrs {
		if err := checkKeyValue("Attribute", k, v); err != nil {
			return err
		}
	}
	return nil
}

func checkKeyValue(what, k, v string) error {
	if k == "" {
		return Errorf(EInvalid, "%s names must not be empty.", what)
	}
	if len(k) > MaxAttributeKey {
		return Errorf(ETooLarge, "%s name %q is longer than %d characters.", what, Truncate(k, MaxAttributeKey), MaxAttributeKey)
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-') {
			return Errorf(EInvalid, "%s names may hold only letters, digits, '_', '.' and '-'.", what)
		}
	}
	if err := checkContextText(what+" "+strconv.Quote(k), v, MaxAttributeValue); err != nil {
		return err
	}
	return nil
}

// checkContextText refuses invalid UTF-8, control characters and text
// over n runes.
func checkContextText(what, s string, n int) error {
	if !utf8.ValidString(s) {
		return Errorf(EInvalid, "%s is not valid UTF-8.", what)
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return Errorf(EInvalid, "%s holds a control character.", what)
		}
	}
	if utf8.RuneCountInString(s) > n {
		return Errorf(ETooLarge, "%s is longer than %d characters.", what, n)
	}
	return nil
}

// CheckCart validates a cart. A cart without items is valid: it clears.
func CheckCart(c Cart) error {
	if len(c.Items) > MaxCartItems {
		return Errorf(ETooLarge, "The cart has %d items; the limit is %d.", len(c.Items), MaxCartItems)
	}
	for i, it := range c.Items {
		what := "Cart item " + strconv.Itoa(i+1)
		if strings.TrimSpace(it.Name) == "" {
			return Errorf(EInvalid, "%s has no name.", what)
		}
		if err := checkContextText(what+"'s name", it.Name, MaxCartItemName); err != nil {
			return err
		}
		if it.Qty < 1 || it.Qty > MaxCartQty {
			return Errorf(EInvalid, "%s's quantity must be 1 to %d.", what, MaxCartQty)
		}
		if err := CheckAmount(what+"'s price", it.Price); err != nil {
			return err
		}
		if it.URL != "" {
			if err := CheckContextURL(what+"'s link", it.URL); err != nil {
				return err
			}
		}
	}
	if err := CheckAmount("The cart's total", c.Total); err != nil {
		return err
	}
	if c.Currency != "" && !isCurrency(c.Currency) {
		return Errorf(EInvalid, "The cart's currency must be three capital letters (ISO 4217), like EUR.")
	}
	return nil
}

func isCurrency(s string) bool {
	return len(s) == 3 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z' && s[2] >= 'A' && s[2] <= 'Z'
}

// CheckAmount validates an amount: "" (none), or digits with at most one
// '.' and four decimals, never negative.
func CheckAmount(what string, a Amount) error {
	if a == "" {
		return nil
	}
	whole, frac, dot := strings.Cut(string(a), ".")
	if whole == "" || len(whole) > maxAmountIntDigits || (dot && (frac == "" || len(frac) > maxAmountFracDigits)) || !digits(whole) || !digits(frac) {
		return Errorf(EInvalid, "%s must be a non-negative decimal number like 19.99.", what)
	}
	return nil
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// CheckContextURL validates a link the page hands over: http or https,
// with a host, at most MaxContextURL bytes.
func CheckContextURL(what, s string) error {
	if len(s) > MaxContextURL {
		return Errorf(ETooLarge, "%s is longer than %d bytes.", what, MaxContextURL)
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return Errorf(EInvalid, "%s must be an http or https URL.", what)
	}
	return nil
}

// CheckTrack validates tracked events.
func CheckTrack(evs []TrackedEvent) error {
	if len(evs) > MaxTrackPerFrame {
		return Errorf(ETooLarge, "There are %d tracked events in one frame; the limit is %d.", len(evs), MaxTrackPerFrame)
	}
	for _, e := range evs {
		if strings.TrimSpace(e.Name) == "" {
			return Errorf(EInvalid, "A tracked event needs a name.")
		}
		if err := checkContextText("The event name", e.Name, MaxEventName); err != nil {
			return err
		}
		if len(e.Props) > MaxEventProps {
			return Errorf(ETooLarge, "Event %q has %d properties; the limit is %d.", e.Name, len(e.Props), MaxEventProps)
		}
		for k, v := range e.Props {
			if err := checkKeyValue("Event property", k, v); err != nil {
				return err
			}
		}
	}
	return nil
}

// CheckDevice validates the widget's clock: an IANA zone name of
// letters, digits and "_+-/", an offset within a day's reach.
func CheckDevice(d Device) error {
	if len(d.TimeZone) > MaxTimeZone {
		return Errorf(ETooLarge, "The time zone is longer than %d characters.", MaxTimeZone)
	}
	for i := 0; i < len(d.TimeZone); i++ {
		c := d.TimeZone[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '+' || c == '-' || c == '/') {
			return Errorf(EInvalid, "The time zone must be an IANA name like Europe/Paris.")
		}
	}
	if d.UTCOffset < -MaxUTCOffset || d.UTCOffset > MaxUTCOffset {
		return Errorf(EInvalid, "The UTC offset must be %d to %d minutes.", -MaxUTCOffset, MaxUTCOffset)
	}
	return nil
}

// Check validates what a visitor may send in an update.
func (u ContextUpdate) Check() error {
	if u.Attributes != nil {
		if err := CheckAttributes(u.Attributes); err != nil {
			return err
		}
	}
	if u.Cart != nil {
		if err := CheckCart(*u.Cart); err != nil {
			return err
		}
	}
	if err := CheckTrack(u.Track); err != nil {
		return err
	}
	if u.Device != nil {
		if err := CheckDevice(*u.Device); err != nil {
			return err
		}
	}
	if u.Referrer != "" {
		if err := CheckContextURL("The referrer", u.Referrer); err != nil {
			return err
		}
	}
	return nil
}

// Apply merges u into c at now and reports whether c changed. It refuses,
// leaving c as it was, an update that would take the attributes over
// MaxAttributes. u must have passed Check.
func (c *VisitorContext) Apply(u ContextUpdate, now time.Time) (bool, error) {
	changed := false
	if len(u.Attributes) > 0 {
		n := len(c.Attributes)
		for k, v := range u.Attributes {
			_, had := c.Attributes[k]
			if v == "" && had {
				n--
			} else if v != "" && !had {
				n++
			}
		}
		if n > MaxAttributes {
			return false, Errorf(ETooLarge, "The visitor would have %d attributes; the limit is %d. Delete some first (a null value).", n, MaxAttributes)
		}
		attrs := make(map[string]string, n)
		for k, v := range c.Attributes {
			attrs[k] = v
		}
		for k, v := range u.Attributes {
			if attrs[k] == v {
				continue
			}
			changed = true
			if v == "" {
				delete(attrs, k)
			} else {
				attrs[k] = v
			}
		}
		if len(attrs) == 0 {
			attrs = nil
		}
		c.Attributes = attrs
	}
	if u.Cart != nil {
		cart := *u.Cart
		if len(cart.Items) == 0 {
			changed = changed || c.Cart != nil
			c.Cart = nil
		} else {
			c.Cart, changed = &cart, true
		}
	}
	for _, e := range u.Track {
		e.At = now
		c.Events = append(c.Events, e)
		changed = true
	}
	if over := len(c.Events) - MaxContextEvents; over > 0 {
		c.Events = append([]TrackedEvent(nil), c.Events[over:]...)
	}
	if u.Device != nil && (u.Device.TimeZone != c.TimeZone || u.Device.UTCOffset != c.UTCOffset) {
		c.TimeZone, c.UTCOffset, changed = u.Device.TimeZone, u.Device.UTCOffset, true
	}
	if u.Referrer != "" && u.Referrer != c.Referrer {
		c.Referrer, changed = u.Referrer, true
	}
	if u.UserAgent != "" && u.UserAgent != c.UserAgent {
		c.UserAgent = u.UserAgent
		c.Browser, c.OS = ParseUserAgent(u.UserAgent)
		changed = true
	}
	if u.Language != "" && u.Language != c.Language {
		c.Language, changed = u.Language, true
	}
	if u.Lang != "" && u.Lang != c.Lang {
		c.Lang, changed = u.Lang, true
	}
	if u.Page != nil && u.Page.URL != "" {
		// A reload or a hello on the same page is not a new visit.
		if n := len(c.Pages); n == 0 || c.Pages[n-1].URL != u.Page.URL {
			title := Truncate(u.Page.Title, maxContextTitleRunes)
			c.Pages = append(c.Pages, PageVisit{URL: u.Page.URL, Title: title, At: now})
			if over := len(c.Pages) - MaxContextPages; over > 0 {
				c.Pages = append([]PageVisit(nil), c.Pages[over:]...)
			}
			changed = true
		}
	}
	return changed, nil
}

// ParseUserAgent names the browser (with its major version) and the
// operating system of a User-Agent header, "" for what it does not know.
// The order of the tests matters: Edge and Opera say Chrome too, Chrome
// says Safari, and iOS says "like Mac OS X".
func ParseUserAgent(ua string) (browser, os string) {
	switch {
	case strings.Contains(ua, "iPhone") || strings.Contains(ua, "iPad") || strings.Contains(ua, "iPod"):
		os = "iOS"
	case strings.Contains(ua, "Android"):
		os = "Android"
	case strings.Contains(ua, "Windows"):
		os = "Windows"
	case strings.Contains(ua, "Mac OS X") || strings.Contains(ua, "Macintosh"):
		os = "macOS"
	case strings.Contains(ua, "CrOS"):
		os = "ChromeOS"
	case strings.Contains(ua, "Linux"):
		os = "Linux"
	}
	for _, b := range []struct{ token, name string }{
		{"Edg/", "Edge"}, {"EdgA/", "Edge"}, {"EdgiOS/", "Edge"},
		{"OPR/", "Opera"}, {"OPiOS/", "Opera"},
		{"Firefox/", "Firefox"}, {"FxiOS/", "Firefox"},
		{"Chrome/", "Chrome"}, {"CriOS/", "Chrome"},
		{"Version/", "Safari"}, // Safari's version; "Safari/" is WebKit's
	} {
		if i := strings.Index(ua, b.token); i >= 0 {
			if b.name == "Safari" && !strings.Contains(ua, "Safari/") {
				continue
			}
			v := ua[i+len(b.token):]
			j := 0
			for j < len(v) && j < 4 && v[j] >= '0' && v[j] <= '9' {
				j++
			}
			if j == 0 {
				return b.name, os
			}
			return b.name + " " + v[:j], os
		}
	}
	return "", os
}

// ParseLanguage returns the first tag of an Accept-Language header when it
// has a BCP 47 shape (letters, digits and '-', starting with a letter),
// "" otherwise.
func ParseLanguage(header string) string {
	tag, _, _ := strings.Cut(header, ",")
	tag, _, _ = strings.Cut(tag, ";")
	tag = strings.TrimSpace(tag)
	if tag == "" || len(tag) > MaxLanguage || tag == "*" {
		return ""
	}
	for i := 0; i < len(tag); i++ {
		c := tag[i]
		letter := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		if !(letter || (i > 0 && (c >= '0' && c <= '9' || c == '-'))) {
			return ""
		}
	}
	return tag
}

// CleanUserAgent cuts a User-Agent header to MaxUserAgent bytes of
// printable ASCII: it is shown to agents as is.
func CleanUserAgent(ua string) string {
	var b strings.Builder
	for i := 0; i < len(ua) && b.Len() < MaxUserAgent; i++ {
		if c := ua[i]; c >= 0x20 && c < 0x7f {
			b.WriteByte(c)
		}
	}
	return b.String()
}

// ContextUpdate is the update a visitor's context frame carries.
func (f Frame) ContextUpdate() ContextUpdate {
	return ContextUpdate{Attributes: f.Attributes, Cart: f.Cart, Track: f.Track, Device: f.Device, Referrer: f.Referrer, Lang: f.Lang}
}
