package main

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// attachJS puts a PNG named name on the composer's file input, as a pick
// from the file chooser would, and fires its change event.
func attachJS(name string, data []byte) string {
	return fmt.Sprintf(`(() => {
	const bytes = Uint8Array.from(atob(%s), c => c.charCodeAt(0));
	const dt = new DataTransfer();
	dt.items.add(new File([bytes], %s, {type: 'image/png'}));
	const input = document.getElementById('attach');
	input.files = dt.files;
	input.dispatchEvent(new Event('change', {bubbles: true}));
	return true;
})()`, jsString(base64.StdEncoding.EncodeToString(data)), jsString(name))
}

// previewJS is the natural width of the first loaded image preview in a
// message row matching rowSel, 0 while there is none.
func previewJS(rowSel string) string {
	return fmt.Sprintf(`(() => {
	const img = document.querySelector(%s);
	return img && img.complete ? img.naturalWidth : 0;
})()`, jsString("#messages "+rowSel+" .msg-file-preview"))
}

// TestBrowserImageSentAndPreviewedOnBothSides: the visitor attaches an
// image in the widget; it shows as a preview there and in the agent's
// console, each side reading it with its own file key.
func TestBrowserImageSentAndPreviewedOnBothSides(t *testing.T) {
	requireBrowserTests(t)
	m, a, v := demoAgentAndVisitor(t)
	openShopChat(t, m, v)
	chat, _ := v.chat(t)
	hello := "The parcel arrived damaged " + t.Name()
	send(t, chat, "the visitor", hello)
	poll(t, chat, 10*time.Second, "the message to be acknowledged", messageJS(".msg-visitor:not(.msg-sending)", hello), nil)

	pic := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for x := range 64 {
		for y := range 48 {
			pic.Set(x, y, color.RGBA{R: uint8(4 * x), G: uint8(5 * y), B: 90, A: 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, pic); err != nil {
		t.Fatal(err)
	}
	poll(t, chat, 10*time.Second, "the attach button", `!!document.getElementById('attach')`, nil)
	step(t, chat, 5*time.Second, "attaching a photo", chromedp.Evaluate(attachJS("parcel.png", buf.Bytes()), nil))
	var width int
	poll(t, chat, 20*time.Second, "the file in the widget", `!!document.querySelector('#messages .msg-files')`, nil)
	poll(t, chat, 20*time.Second, "the preview in the widget", previewJS(".msg-visitor"), &width)
	if width != 64 {
		t.Errorf("the widget's preview is %d px wide, want 64", width)
	}

	openInboxItem(t, a, "parcel")
	poll(t, a.ctx, 20*time.Second, "the preview in the console", previewJS(".msg-visitor"), &width)
	if width != 64 {
		t.Errorf("the console's preview is %d px wide, want 64", width)
	}
}
