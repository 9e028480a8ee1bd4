package web

import (
	"errors"
	"strings"
)

// The console's service worker is go-app's: its push handler shows the
// JSON it receives as a notification (title, body, icon, and path, the
// page a click focuses or opens). pushWorker teaches it the rest of a
// Parley push (parley.PushPayload): the tag, so that a newer push of a
// chat replaces its notification (and alerts again) instead of piling
// up, and url as the path. A patch of the generated text, checked: a
// go-app upgrade that changes it fails the build's tests, not the pushes.
func pushWorker(w string) (string, error) {
	for _, r := range []struct{ old, new string }{
		{"    body: notification.body,\n",
			"    body: notification.body,\n    tag: notification.tag,\n    renotify: !!notification.tag,\n"},
		{"        path: notification.path,\n",
			"        path: notification.path || notification.url,\n"},
	} {
		if strings.Count(w, r.old) != 1 {
			return "", errors.New("web: assets: go-app's app-worker.js changed: cannot add the push notification's tag and url")
		}
		w = strings.Replace(w, r.old, r.new, 1)
	}
	return w, nil
}
