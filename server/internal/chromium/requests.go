package chromium

import (
	"fmt"
	"strings"
	"sync"

	"github.com/chromedp/cdproto/network"
)

// Request is one request a page made, as the network domain saw it.
type Request struct {
	ID       network.RequestID
	URL      string
	Status   int64
	Encoding string  // the response's Content-Encoding
	Size     float64 // bytes on the wire, headers included
	Done     bool    // loading finished: Size is known
}

// Requests records a page target's requests. Pass its Listen to
// chromedp.ListenTarget before the page navigates.
type Requests struct {
	mu   sync.Mutex
	reqs []*Request
	byID map[network.RequestID]*Request
}

// Listen handles one event of the page target.
func (n *Requests) Listen(ev any) {
	n.mu.Lock()
	defer n.mu.Unlock()
	switch ev := ev.(type) {
	case *network.EventRequestWillBeSent:
		if n.byID == nil {
			n.byID = make(map[network.RequestID]*Request)
		}
		r := &Request{ID: ev.RequestID, URL: ev.Request.URL}
		n.reqs = append(n.reqs, r)
		n.byID[ev.RequestID] = r
	case *network.EventResponseReceived:
		if r := n.byID[ev.RequestID]; r != nil {
			r.Status = ev.Response.Status
			for k, v := range ev.Response.Headers {
				if strings.EqualFold(k, "content-encoding") {
					r.Encoding = fmt.Sprint(v)
				}
			}
		}
	case *network.EventLoadingFinished:
		if r := n.byID[ev.RequestID]; r != nil {
			r.Size, r.Done = ev.EncodedDataLength, true
		}
	}
}

// To returns copies of the requests whose URL starts with prefix.
func (n *Requests) To(prefix string) []Request {
	n.mu.Lock()
	defer n.mu.Unlock()
	var out []Request
	for _, r := range n.reqs {
		if strings.HasPrefix(r.URL, prefix) {
			out = append(out, *r)
		}
	}
	return out
}
