package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/server/web"
)

// newFilesEnv is a server that keeps files, with a visitor who has a
// conversation: its socket, token and conversation id.
func newFilesEnv(tb testing.TB) (env *sockEnv, v *sockClient, token string, conv uint64) {
	tb.Helper()
	env = newSockEnvConfig(tb, web.Config{FilesDir: tb.TempDir()})
	v, w := env.newVisitor(tb, "visitor")
	ack := v.say(0, "m1", "Here is a photo of the parcel.")
	return env, v, w.Token, ack.Conv
}

// httpCall makes one request to env and returns the response and its body.
func httpCall(tb testing.TB, env *sockEnv, method, path string, body []byte, hdr http.Header) (*http.Response, []byte) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), stepTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, env.url+path, bytes.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	for k, vs := range hdr {
		req.Header[k] = vs
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp, raw
}

// visitorHeader is what the widget sends: its token, and its origin,
// which is Parley's.
func visitorHeader(env *sockEnv, token string) http.Header {
	return http.Header{"Authorization": {"Visitor " + token}, "Origin": {env.url}}
}

// agentHeader logs agent i in and returns the headers of a console
// request: cookie, CSRF token, origin.
func agentHeader(tb testing.TB, env *sockEnv, i int) http.Header {
	tb.Helper()
	body, _ := json.Marshal(map[string]string{"email": env.agents[i].Email, "password": sockPassword})
	resp, raw := httpCall(tb, env, "POST", "/api/login", body, http.Header{"Content-Type": {"application/json"}})
	var s struct{ CSRF string }
	if resp.StatusCode != http.StatusOK || json.Unmarshal(raw, &s) != nil || s.CSRF == "" {
		tb.Fatalf("login: status %d: %s", resp.StatusCode, raw)
	}
	h := http.Header{"X-Csrf-Token": {s.CSRF}, "Origin": {env.url}}
	for _, c := range resp.Cookies() {
		h.Add("Cookie", c.Name+"="+c.Value)
	}
	return h
}

func upload(tb testing.TB, env *sockEnv, conv uint64, name string, data []byte, hdr http.Header) (int, parley.File, string) {
	tb.Helper()
	h := hdr.Clone()
	h.Set("X-Parley-Filename", url.PathEscape(name))
	h.Set("Content-Type", "application/octet-stream")
	resp, raw := httpCall(tb, env, "POST", fmt.Sprintf("/api/files?conv=%d", conv), data, h)
	var out struct {
		File    parley.File
		Code    string
		Message string
	}
	json.Unmarshal(raw, &out)
	return resp.StatusCode, out.File, out.Code + ": " + out.Message
}

func fileKey(tb testing.TB, env *sockEnv, conv uint64, hdr http.Header) (int, string) {
	tb.Helper()
	resp, raw := httpCall(tb, env, "GET", fmt.Sprintf("/api/files/key?conv=%d", conv), nil, hdr)
	var k struct{ Query string }
	json.Unmarshal(raw, &k)
	return resp.StatusCode, k.Query
}

// photoWithGPS is a 4×2 JPEG whose EXIF says where it was taken and that
// it is to be shown turned 90° clockwise (orientation 6), as phones write.
func photoWithGPS(tb testing.TB) []byte {
	tb.Helper()
	m := image.NewRGBA(image.Rect(0, 0, 4, 2))
	for x := range 4 {
		for y := range 2 {
			m.Set(x, y, color.RGBA{R: uint8(60 * x), G: 200, B: 40, A: 255})
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, m, nil); err != nil {
		tb.Fatal(err)
	}
	tiff := []byte("MM\x00\x2a\x00\x00\x00\x08" +
		"\x00\x01" + // one entry:
		"\x01\x12\x00\x03\x00\x00\x00\x01\x00\x06\x00\x00" + // orientation 6
		"\x00\x00\x00\x00" + // no next IFD
		"GPS 48.858370N 2.294481E")
	app1 := append([]byte("Exif\x00\x00"), tiff...)
	seg := append([]byte{0xFF, 0xE1, byte((len(app1) + 2) >> 8), byte(len(app1) + 2)}, app1...)
	jpg := b.Bytes()
	return append(append(append([]byte(nil), jpg[:2]...), seg...), jpg[2:]...)
}

func TestFileUploadStripsImageMetadataAndBothSidesSeeIt(t *testing.T) {
	env, v, token, conv := newFilesEnv(t)
	agent, _ := env.newAgent(t, "ann", 0)
	photo := photoWithGPS(t)
	if !bytes.Contains(photo, []byte("GPS")) || !bytes.Contains(photo, []byte("Exif")) {
		t.Fatal("the test photo has no EXIF")
	}

	status, f, msg := upload(t, env, conv, "parcel.jpg", photo, visitorHeader(env, token))
	if status != http.StatusCreated {
		t.Fatalf("upload: status %d (%s), want 201", status, msg)
	}
	// Turned upright: the 4×2 picture is 2×4.
	if f.Type != "image/jpeg" || f.Name != "parcel.jpg" || f.Width != 2 || f.Height != 4 || !parley.ValidFileID(f.ID) {
		t.Fatalf("upload: got %+v", f)
	}

	status, query := fileKey(t, env, conv, visitorHeader(env, token))
	if status != http.StatusOK || query == "" {
		t.Fatalf("file key: status %d, query %q", status, query)
	}
	resp, body := httpCall(t, env, "GET", "/files/"+f.ID+"?"+query, nil, nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("download: status %d: %s", resp.StatusCode, body)
	}
	for _, marker := range []string{"Exif", "GPS", "48.858"} {
		if bytes.Contains(body, []byte(marker)) {
			t.Errorf("the stored image still holds %q", marker)
		}
	}
	if m, err := jpeg.Decode(bytes.NewReader(body)); err != nil || m.Bounds().Dx() != 2 || m.Bounds().Dy() != 4 {
		t.Errorf("stored image: decode err %v", err)
	}
	for k, want := range map[string]string{
		"Content-Type":            "image/jpeg",
		"X-Content-Type-Options":  "nosniff",
		"Content-Security-Policy": "default-src 'none'; sandbox",
		"Content-Disposition":     "inline; filename*=UTF-8''parcel.jpg",
		"Cache-Control":           "private, max-age=600",
	} {
		if got := resp.Header.Get(k); got != want {
			t.Errorf("%s: got %q, want %q", k, got, want)
		}
	}

	// The message names the file by id only; everyone gets the record.
	v.sendFrame(parley.Frame{Type: parley.TypeSend, ID: "m2", Conv: conv, Files: []parley.File{{ID: f.ID, Name: "evil.exe", Size: 1}}})
	v.ack("m2")
	got := agent.until("the msg with the photo", func(m parley.Frame) bool { return m.Type == parley.TypeMsg && m.ID == "m2" })
	if len(got.Files) != 1 || got.Files[0] != f || got.Text != "" {
		t.Fatalf("agent's msg: files %+v text %q, want [%+v]", got.Files, got.Text, f)
	}
	// The agent reads it with a key of its own.
	status, query = fileKey(t, env, conv, agentHeader(t, env, 0))
	if status != http.StatusOK {
		t.Fatalf("agent's file key: status %d", status)
	}
	if resp, _ := httpCall(t, env, "GET", "/files/"+f.ID+"?"+query, nil, nil); resp.StatusCode != http.StatusOK {
		t.Fatalf("agent's download: status %d", resp.StatusCode)
	}
}

func TestFileUploadLimits(t *testing.T) {
	env, _, token, conv := newFilesEnv(t)
	vh := visitorHeader(env, token)

	// An executable dressed as a photo is what its bytes say.
	exe := append([]byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff"), bytes.Repeat([]byte{0, 1, 2, 0xfe}, 200)...)
	if status, _, msg := upload(t, env, conv, "photo.jpg", exe, vh); status != http.StatusUnsupportedMediaType || !strings.Contains(msg, "application/octet-stream") {
		t.Errorf("disguised exe: status %d (%s), want 415 naming the real type", status, msg)
	}
	// Past the site's size.
	site, _ := env.db.Site(env.site.ID)
	site.Files = parley.FileSettings{MaxBytes: 1000}
	if err := env.db.PutSite(site); err != nil {
		t.Fatal(err)
	}
	big := bytes.Repeat([]byte("plain text, quite long. "), 100)
	if status, _, msg := upload(t, env, conv, "notes.txt", big, vh); status != http.StatusRequestEntityTooLarge {
		t.Errorf("too large: status %d (%s), want 413", status, msg)
	}
	// Chunked, so that the declared length cannot tell: the reader stops it.
	h := vh.Clone()
	h.Set("X-Parley-Filename", "notes.txt")
	ctx, cancel := context.WithTimeout(context.Background(), stepTimeout)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "POST", fmt.Sprintf("%s/api/files?conv=%d", env.url, conv), io.MultiReader(bytes.NewReader(big)))
	req.Header = h
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("chunked too large: %v %v, want 413", resp, err)
	} else {
		resp.Body.Close()
	}
	if status, f, msg := upload(t, env, conv, "../../etc/\u202enotes.txt", big[:500], vh); status != http.StatusCreated || f.Type != "text/plain" || f.Name != "notes.txt" {
		t.Errorf("small text: status %d (%s), file %+v", status, msg, f)
	}
	// The site takes no files.
	site.Files = parley.FileSettings{Off: true}
	env.db.PutSite(site)
	if status, _, msg := upload(t, env, conv, "a.txt", []byte("hello"), vh); status != http.StatusForbidden {
		t.Errorf("files off: status %d (%s), want 403", status, msg)
	}
	// Bad input.
	if resp, _ := httpCall(t, env, "POST", "/api/files?conv=abc", []byte("x"), vh); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("conv=abc: status %d, want 400", resp.StatusCode)
	}
	if resp, _ := httpCall(t, env, "POST", fmt.Sprintf("/api/files?conv=%d", conv), []byte("x"), http.Header{"Origin": {env.url}}); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("no credentials: status %d, want 401", resp.StatusCode)
	}
	cross := visitorHeader(env, token)
	cross.Set("Origin", "https://evil.example")
	if status, _, _ := upload(t, env, conv, "a.txt", []byte("hello"), cross); status != http.StatusForbidden {
		t.Errorf("cross-site upload: status %d, want 403", status)
	}
}

func TestFilesOnlyForParticipants(t *testing.T) {
	env, v, token, conv := newFilesEnv(t)
	status, f, msg := upload(t, env, conv, "note.txt", []byte("my address is 1 Main St"), visitorHeader(env, token))
	if status != http.StatusCreated {
		t.Fatalf("upload: %d %s", status, msg)
	}
	// Another visitor, with a conversation of their own.
	other, w := env.newVisitor(t, "other")
	otherConv := other.say(0, "o1", "hi").Conv
	oh := visitorHeader(env, w.Token)
	if status, _, _ := upload(t, env, conv, "x.txt", []byte("hello"), oh); status != http.StatusNotFound {
		t.Errorf("other visitor's upload: status %d, want 404", status)
	}
	if status, _ := fileKey(t, env, conv, oh); status != http.StatusNotFound {
		t.Errorf("other visitor's file key: status %d, want 404", status)
	}
	// An agent of another site.
	cy := agentHeader(t, env, 2)
	if status, _ := fileKey(t, env, conv, cy); status != http.StatusNotFound {
		t.Errorf("other site's agent: status %d, want 404", status)
	}
	if status, _, _ := upload(t, env, conv, "x.txt", []byte("hello"), cy); status != http.StatusNotFound {
		t.Errorf("other site's agent's upload: status %d, want 404", status)
	}
	// An agent of the site, without the CSRF token.
	bob := agentHeader(t, env, 1)
	bob.Del("X-Csrf-Token")
	if status, _, _ := upload(t, env, conv, "x.txt", []byte("hello"), bob); status != http.StatusForbidden {
		t.Errorf("upload without CSRF token: status %d, want 403", status)
	}
	// The other visitor's own key does not open this conversation's file.
	_, otherQuery := fileKey(t, env, otherConv, oh)
	if resp, _ := httpCall(t, env, "GET", "/files/"+f.ID+"?"+otherQuery, nil, nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("file with another conversation's key: status %d, want 404", resp.StatusCode)
	}
	// Nor may they attach it.
	other.sendFrame(parley.Frame{Type: parley.TypeSend, ID: "o2", Conv: otherConv, Files: []parley.File{{ID: f.ID}}})
	if e := other.untilError(); e.ID != "o2" || e.Code != parley.EInvalid {
		t.Errorf("attaching another conversation's file: got %+v", e)
	}
	// No key, a forged one, an expired one.
	_, query := fileKey(t, env, conv, visitorHeader(env, token))
	q, _ := url.ParseQuery(query)
	forged := url.Values{"c": q["c"], "exp": {fmt.Sprint(time.Now().Add(time.Hour).Unix())}, "sig": q["sig"]}
	expired := url.Values{"c": q["c"], "exp": {"1000"}, "sig": q["sig"]}
	for name, query := range map[string]string{"none": "", "forged": forged.Encode(), "expired": expired.Encode()} {
		if resp, _ := httpCall(t, env, "GET", "/files/"+f.ID+"?"+query, nil, nil); resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s key: status %d, want 403", name, resp.StatusCode)
		}
	}
	// A key signed as the server signs them, but past its time.
	old := web.FileKeyQuery(env.srv, conv, time.Now().Add(-time.Minute))
	if resp, body := httpCall(t, env, "GET", "/files/"+f.ID+"?"+old, nil, nil); resp.StatusCode != http.StatusForbidden || !strings.Contains(string(body), "expired") {
		t.Errorf("expired key: status %d %q, want 403 saying it expired", resp.StatusCode, body)
	}
	// A text file is a download, never a page.
	resp, _ := httpCall(t, env, "GET", "/files/"+f.ID+"?"+query, nil, nil)
	if got := resp.Header.Get("Content-Disposition"); got != "attachment; filename*=UTF-8''note.txt" {
		t.Errorf("Content-Disposition: %q", got)
	}
	// A message of files alone is fine; of nothing at all, not.
	v.sendFrame(parley.Frame{Type: parley.TypeSend, ID: "m9", Conv: conv})
	if e := v.untilError(); e.ID != "m9" {
		t.Errorf("empty message: got %+v", e)
	}
}

// TestSiteFileLimitsRefused: the settings form's attachment limits, saved
// with values out of range, are refused with a message saying why, and
// the site keeps its limits.
func TestSiteFileLimitsRefused(t *testing.T) {
	env := newHTTPEnv(t)
	c, csrf := env.login(t, "ann@shop.example")
	hdr := map[string]string{"X-CSRF-Token": csrf, "Origin": env.url}
	base := parley.Site{Name: "Shop", AllowedOrigins: []string{"https://shop.example"}, Files: parley.FileSettings{MaxBytes: 2 << 20}}
	if r := env.do(t, c, "PUT", "/api/sites/shop", base, hdr, nil); r.StatusCode != 200 {
		t.Fatalf("saving good limits: %d", r.StatusCode)
	}
	for _, bad := range []struct {
		files parley.FileSettings
		says  string
	}{
		{parley.FileSettings{MaxBytes: parley.MaxFileBytes + 1}, "at most 25 MB"},
		{parley.FileSettings{MaxBytes: -1}, "at most 25 MB"},
		{parley.FileSettings{Types: []string{"application/x-msdownload"}}, "cannot be allowed"},
	} {
		s := base
		s.Files = bad.files
		var e apiErr
		if r := env.do(t, c, "PUT", "/api/sites/shop", s, hdr, &e); r.StatusCode != 400 || e.Code != parley.EInvalid || !strings.Contains(e.Message, bad.says) {
			t.Errorf("files %+v: %d %+v, want 400 invalid saying %q", bad.files, r.StatusCode, e, bad.says)
		}
	}
	if stored, _ := env.db.Site("shop"); stored.Files.MaxBytes != 2<<20 || stored.Files.Types != nil {
		t.Errorf("the refused limits changed the site: %+v", stored.Files)
	}
}

// TestDeletedMessageFilesLeaveDisk: deleting a message takes its files out
// of the conversation (a download is 404) and, once nothing names their
// bytes, off the disk; a file another message, or another conversation,
// still carries stays.
func TestDeletedMessageFilesLeaveDisk(t *testing.T) {
	dir := t.TempDir()
	env := newSockEnvConfig(t, web.Config{FilesDir: dir})
	v, w := env.newVisitor(t, "visitor")
	conv := v.say(0, "m1", "Two files coming.").Conv
	vh := visitorHeader(env, w.Token)
	up := func(conv uint64, h http.Header, name, text string) parley.File {
		t.Helper()
		status, f, msg := upload(t, env, conv, name, []byte(text), h)
		if status != http.StatusCreated {
			t.Fatalf("upload %s: %d %s", name, status, msg)
		}
		return f
	}
	shared := up(conv, vh, "shared.txt", "the bytes two messages carry")
	once := up(conv, vh, "once.txt", "the bytes one message carries")
	elsewhere := up(conv, vh, "elsewhere.txt", "the bytes another conversation has too")
	v.sendFrame(parley.Frame{Type: parley.TypeSend, ID: "m2", Conv: conv, Files: []parley.File{{ID: shared.ID}, {ID: once.ID}, {ID: elsewhere.ID}}})
	m2 := v.ack("m2").Seq
	v.sendFrame(parley.Frame{Type: parley.TypeSend, ID: "m3", Conv: conv, Files: []parley.File{{ID: shared.ID}}})
	m3 := v.ack("m3").Seq
	// Another visitor uploads the same bytes as elsewhere.txt.
	o, ow := env.newVisitor(t, "other visitor")
	oconv := o.say(0, "o1", "hello").Conv
	up(oconv, visitorHeader(env, ow.Token), "mine.txt", "the bytes another conversation has too")

	onDisk := func(id string) bool {
		_, err := os.Stat(filepath.Join(dir, id[:2], id[2:4], id))
		return err == nil
	}
	status := func(id string) int {
		t.Helper()
		_, query := fileKey(t, env, conv, vh)
		resp, _ := httpCall(t, env, "GET", "/files/"+id+"?"+query, nil, nil)
		return resp.StatusCode
	}
	waitGone := func(id string) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for onDisk(id) {
			if time.Now().After(deadline) {
				t.Fatalf("file %s is still on disk", id)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	for _, f := range []parley.File{shared, once, elsewhere} {
		if !onDisk(f.ID) || status(f.ID) != http.StatusOK {
			t.Fatalf("%s before any deletion: on disk %v, status %d", f.Name, onDisk(f.ID), status(f.ID))
		}
	}

	v.sendFrame(parley.Frame{Type: parley.TypeDelete, ID: "d2", Conv: conv, Ref: m2})
	v.ack("d2")
	waitGone(once.ID)
	if got := status(once.ID); got != http.StatusNotFound {
		t.Errorf("once.txt after its message was deleted: %d, want 404", got)
	}
	if !onDisk(shared.ID) || status(shared.ID) != http.StatusOK {
		t.Errorf("shared.txt, still carried by m3: on disk %v, status %d", onDisk(shared.ID), status(shared.ID))
	}
	if status(elsewhere.ID) != http.StatusNotFound || !onDisk(elsewhere.ID) {
		t.Errorf("elsewhere.txt: gone from the conversation (status %d) but on disk for the other one (%v), want both", status(elsewhere.ID), onDisk(elsewhere.ID))
	}

	// The second message goes: its file follows.
	v.sendFrame(parley.Frame{Type: parley.TypeDelete, ID: "d3", Conv: conv, Ref: m3})
	v.ack("d3")
	waitGone(shared.ID)
	if got := status(shared.ID); got != http.StatusNotFound {
		t.Errorf("shared.txt after both messages were deleted: %d, want 404", got)
	}
	// A message sent again with a dropped file is refused: it must be
	// uploaded again.
	v.sendFrame(parley.Frame{Type: parley.TypeSend, ID: "m4", Conv: conv, Files: []parley.File{{ID: once.ID}}})
	if e := v.untilError(); e.Code != parley.EInvalid {
		t.Errorf("sending a deleted file again: %+v, want invalid", e)
	}
}
