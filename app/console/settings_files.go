package console

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/parley-chat/parley/app/parley"
)

// FilesForm is the site's attachment limits as the form edits them.
type FilesForm struct {
	// On: visitors and agents may send files.
	On bool
	// MaxMB is the largest file in MB as typed ("" for the default).
	MaxMB string
	// Types are the allowed types, of parley.KnownFileTypes.
	Types map[string]bool
}

// NewFilesForm fills the form from a site's settings.
func NewFilesForm(s parley.FileSettings) FilesForm {
	f := FilesForm{On: !s.Off, Types: map[string]bool{}}
	if s.MaxBytes > 0 {
		f.MaxMB = strconv.FormatFloat(float64(s.MaxBytes)/(1<<20), 'f', -1, 64)
	}
	for _, t := range s.Allowed() {
		f.Types[t] = true
	}
	return f
}

// Settings checks the form and makes the site's settings: the default
// types are saved as none (the default), so a site keeps following it.
func (f FilesForm) Settings() (parley.FileSettings, error) {
	s := parley.FileSettings{Off: !f.On}
	if mb := strings.TrimSpace(f.MaxMB); mb != "" {
		n, err := strconv.ParseFloat(mb, 64)
		if err != nil || n < 0.01 || n > parley.MaxFileBytes>>20 {
			return parley.FileSettings{}, parley.Errorf(parley.EInvalid, "The largest file is a number of MB from 0.01 to %d (empty: %d).",
				parley.MaxFileBytes>>20, parley.DefaultFileBytes>>20)
		}
		s.MaxBytes = int64(n * (1 << 20))
	}
	for _, t := range parley.KnownFileTypes {
		if f.Types[t] {
			s.Types = append(s.Types, t)
		}
	}
	if len(s.Types) == 0 {
		if f.On {
			return parley.FileSettings{}, parley.Errorf(parley.EInvalid, "Allow at least one file type, or turn files off.")
		}
		s.Types = nil
	}
	if slices.Equal(s.Types, parley.DefaultFileTypes) {
		s.Types = nil
	}
	return s, nil
}

// renderFiles is the "Attachments" section of the site's settings.
func (s *Settings) renderFiles(ro bool) app.UI {
	f := s.form.Files
	types := make([]app.UI, 0, len(parley.KnownFileTypes))
	for _, t := range parley.KnownFileTypes {
		types = append(types, app.Label().Class("check file-type").Body(
			app.Input().Type("checkbox").Class("site-file-type").Value(t).Checked(f.Types[t]).Disabled(ro || !f.On).
				OnChange(func(ctx app.Context, e app.Event) {
					if s.form.Files.Types == nil {
						s.form.Files.Types = map[string]bool{}
					}
					s.form.Files.Types[t] = ctx.JSSrc().Get("checked").Truthy()
					s.changed()
				}),
			app.Span().Text(t),
		))
	}
	return app.Div().Class("site-files").Body(
		app.H3().Text("Attachments"),
		app.Label().Class("check").Body(
			app.Input().ID("site-files-on").Type("checkbox").Checked(f.On).Disabled(ro).
				OnChange(func(ctx app.Context, e app.Event) {
					s.form.Files.On = ctx.JSSrc().Get("checked").Truthy()
					s.changed()
				}),
			app.Span().Text("Visitors and agents may send files"),
		),
		field("site-file-mb", fmt.Sprintf("Largest file, in MB (empty: %d; at most %d)", parley.DefaultFileBytes>>20, parley.MaxFileBytes>>20),
			app.Input().ID("site-file-mb").Type("number").Min(0).Max(parley.MaxFileBytes>>20).Step(0.01).Value(f.MaxMB).
				ReadOnly(ro || !f.On).OnInput(s.set(func(v string) { s.form.Files.MaxMB = v }))),
		app.FieldSet().Class("file-types").Body(
			app.Legend().Text(fmt.Sprintf("File types taken (checked by their content; at most %d files a conversation)", parley.MaxFilesPerConversation)),
			app.Range(types).Slice(func(i int) app.UI { return types[i] }),
		),
	)
}

// changed clears the result of the last save when the form changes.
func (s *Settings) changed() {
	if s.save != loading {
		s.save, s.saveMsg = idle, ""
	}
}
