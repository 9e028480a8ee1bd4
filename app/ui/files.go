package ui

import (
	"encoding/json"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/parley-chat/parley/app/parley"
)

// Attachments in the browser: the upload and the conversation's file key
// go through fetch on Parley's own origin (the widget's iframe and the
// console are both served from it). The visitor widget authenticates with
// its token (VisitorAuth), the console with its cookie and CSRF token.

// VisitorAuth is the Authorization header of a visitor's file requests.
func VisitorAuth(token string) map[string]string {
	return map[string]string{"Authorization": "Visitor " + token}
}

// FileKey is a conversation's file key: the query that reads its files,
// until Expires (Unix seconds).
type FileKey struct {
	Query   string `json:"query"`
	Expires int64  `json:"expires"`
}

// Fresh says whether the key still works for a while: keys are renewed
// a couple of minutes before they end, so an image shown now still loads.
func (k FileKey) Fresh(now time.Time) bool {
	return k.Query != "" && now.Unix() < k.Expires-120
}

// FileURL is where a file of the key's conversation is read; "" without a
// key.
func FileURL(f parley.File, key FileKey) string {
	if key.Query == "" || !parley.ValidFileID(f.ID) {
		return ""
	}
	return Path("/files/" + f.ID + "?" + key.Query)
}

// FetchFileKey asks for conversation conv's file key; done runs on a JS
// goroutine (dispatch from it).
func FetchFileKey(conv uint64, header map[string]string, done func(FileKey, error)) {
	fetchJSON("GET", "/api/files/key?conv="+strconv.FormatUint(conv, 10), header, nil, func(body []byte, err error) {
		var k FileKey
		if err == nil {
			err = json.Unmarshal(body, &k)
		}
		done(k, err)
	})
}

// UploadFile sends file (a JS File) to conversation conv; done runs on a
// JS goroutine with the server's record of it, or a *parley.Error saying
// why not.
func UploadFile(conv uint64, file app.Value, header map[string]string, done func(parley.File, error)) {
	h := map[string]string{uploadFilenameHeader: url.PathEscape(file.Get("name").String())}
	for k, v := range header {
		h[k] = v
	}
	fetchJSON("POST", "/api/files?conv="+strconv.FormatUint(conv, 10), h, file, func(body []byte, err error) {
		var out struct {
			File parley.File `json:"file"`
		}
		if err == nil {
			err = json.Unmarshal(body, &out)
		}
		done(out.File, err)
	})
}

const uploadFilenameHeader = "X-Parley-Filename"

// fetchJSON runs fetch and hands done the body of a 2xx answer, or the
// error the server explained, or a network failure.
// path is absolute on Parley: it goes under BasePath here.
func fetchJSON(method, path string, header map[string]string, body app.Value, done func([]byte, error)) {
	if !app.IsClient {
		done(nil, parley.Errorf(parley.EUnavailable, "Not in a browser."))
		return
	}
	hdr := make(map[string]any, len(header))
	for k, v := range header {
		hdr[k] = v
	}
	opts := map[string]any{"method": method, "headers": hdr, "credentials": "same-origin", "cache": "no-store"}
	if body != nil {
		opts["body"] = body
	}
	var then, fail app.Func
	release := func() {
		then.Release()
		fail.Release()
	}
	failed := func() {
		done(nil, parley.Errorf(parley.EUnavailable, "The connection failed; try again."))
	}
	then = app.FuncOf(func(_ app.Value, args []app.Value) any {
		resp := args[0]
		status := resp.Get("status").Int()
		var textThen, textFail app.Func
		textThen = app.FuncOf(func(_ app.Value, args []app.Value) any {
			textThen.Release()
			textFail.Release()
			b := []byte(args[0].String())
			if status >= 200 && status < 300 {
				done(b, nil)
				return nil
			}
			var e struct{ Code, Message string }
			if json.Unmarshal(b, &e) != nil || e.Message == "" {
				e.Code, e.Message = parley.EInternal, "The server answered "+strconv.Itoa(status)+"."
			}
			done(nil, parley.Errorf(e.Code, "%s", e.Message))
			return nil
		})
		textFail = app.FuncOf(func(app.Value, []app.Value) any {
			textThen.Release()
			textFail.Release()
			failed()
			return nil
		})
		resp.Call("text").Call("then", textThen, textFail)
		release()
		return nil
	})
	fail = app.FuncOf(func(app.Value, []app.Value) any {
		release()
		failed()
		return nil
	})
	app.Window().Call("fetch", Path(path), opts).Call("then", then, fail)
}

// CheckBrowserFile checks a JS File against a site's limits before any
// byte is sent, with the message the person sees. The server checks the
// type again on the bytes.
func CheckBrowserFile(limits parley.FileSettings, file app.Value) error {
	typ := file.Get("type").String()
	if typ == "" {
		// The browser cannot tell (no known extension): check the size
		// only, and let the server read the type from the bytes.
		typ = limits.Allowed()[0]
	}
	return limits.Check(int64(file.Get("size").Float()), typ)
}

// AcceptTypes is the accept attribute of the file input for limits.
func AcceptTypes(limits parley.FileSettings) string {
	return strings.Join(limits.Allowed(), ",")
}
