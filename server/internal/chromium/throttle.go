package chromium

import (
	"context"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// Conditions are the network and CPU a measurement runs on, as DevTools
// emulates them. Throttling applies per target: an out-of-process iframe
// escapes its tab's, and one attached once it appears has already sent its
// first requests. A throttled measurement runs in a browser started with
// Options.SharedIframes, where the chat's iframe lives in its tab's
// renderer — as on Android's Chrome, which isolates only sites people log
// in to — and the tab's throttling covers it whole.
type Conditions struct {
	Name string
	// LatencyMs is added to every request's round trip; DownKbps and
	// UpKbps cap the throughput (kilobits: 1,024 bits).
	LatencyMs        float64
	DownKbps, UpKbps float64
	// CPU slows the renderer down this many times (1: not at all).
	CPU float64
}

// Slow4G is Lighthouse's mobile throttling (mobileSlow4G, applied by
// DevTools): 150 ms RTT × 3.75, 1.6 Mbps × 0.9 down, 750 kbps × 0.9 up,
// and a CPU four times slower.
var Slow4G = Conditions{Name: "Slow 4G, 4× CPU", LatencyMs: 562.5, DownKbps: 1474.56, UpKbps: 675, CPU: 4}

// Apply throttles the target of ctx.
func (c Conditions) Apply() chromedp.Action {
	return chromedp.ActionFunc(func(ctx context.Context) error {
		if err := network.Enable().Do(ctx); err != nil {
			return err
		}
		if err := network.EmulateNetworkConditions(false, c.LatencyMs, c.DownKbps*1024/8, c.UpKbps*1024/8).Do(ctx); err != nil {
			return err
		}
		if c.CPU > 1 {
			return emulation.SetCPUThrottlingRate(c.CPU).Do(ctx)
		}
		return nil
	})
}
