package main

import (
	"fmt"
	"os"
	"syscall"
	"time"
)

// The write path's cost is read from the kernel's counters around a
// measured window and divided by the messages acknowledged in it:
//
//   - /proc/PID/stat: the server's utime+stime;
//   - /proc/PID/io: write_bytes, the page-cache folios the server dirtied
//     (counted whole when a clean folio turns dirty: bbolt fsyncs every
//     commit, so every commit counts its pages again; exact with 4 KB
//     folios, an overstatement with large ones), and wchar, the bytes of
//     all its write system calls, to sockets as much as to files; wchar
//     less the frames the load generator read is what went to files;
//   - /proc/diskstats for the data directory's device: flush requests (an
//     fsync ends in one) and sectors written, the file system's journal
//     included. These are the whole device's, other writers' too.

// meterSample is the server's counters at one moment.
type meterSample struct {
	proc   procSample
	disk   diskStat
	diskOK bool
}

// meter samples the server and its data directory's device.
func (s *server) meter() meterSample {
	m := meterSample{proc: mustProc(s)}
	if s.devOK {
		if b, err := os.ReadFile("/proc/diskstats"); err == nil {
			m.disk, err = parseDiskStats(b, s.devMajor, s.devMinor)
			m.diskOK = err == nil
		}
	}
	return m
}

// findDevice finds the data directory's block device in /proc/diskstats;
// without it (a file system on no block device, overlayfs for one) the
// device's figures are n/a.
func (s *server) findDevice() {
	major, minor, err := deviceOf(s.dir)
	if err != nil {
		return
	}
	b, err := os.ReadFile("/proc/diskstats")
	if err != nil {
		return
	}
	d, err := parseDiskStats(b, major, minor)
	if err != nil {
		return
	}
	s.devMajor, s.devMinor, s.devName, s.devOK = major, minor, d.name, true
}

// writeCost is what the server spent on the messages of one window.
type writeCost struct {
	msgs int64
	wall time.Duration
	cpu  time.Duration // server utime+stime
	// written is write_bytes minus cancelled_write_bytes; wchar is every
	// write system call's bytes. ioOK is false without /proc/PID/io.
	written, wchar, syscw int64
	ioOK                  bool
	// socketBytes is what the server wrote to the generator's sockets
	// (frames and their headers, as read): wchar less it is file writes.
	// Set by the caller; 0 when not counted.
	socketBytes int64
	// Device-wide: sectors written in bytes, and flush requests; diskOK is
	// false when the device could not be read, flushOK when the kernel
	// does not count flushes (before Linux 5.5).
	devWritten, flushes int64
	diskOK, flushOK     bool
}

func costBetween(a, b meterSample, msgs int64) writeCost {
	c := writeCost{msgs: msgs, wall: b.proc.at.Sub(a.proc.at), cpu: b.proc.cpu - a.proc.cpu}
	if a.proc.ioOK && b.proc.ioOK {
		c.ioOK = true
		c.written = (b.proc.io.writeBytes - b.proc.io.cancelledWriteBytes) - (a.proc.io.writeBytes - a.proc.io.cancelledWriteBytes)
		c.wchar = b.proc.io.wchar - a.proc.io.wchar
		c.syscw = b.proc.io.syscw - a.proc.io.syscw
	}
	if a.diskOK && b.diskOK {
		c.diskOK = true
		c.devWritten = 512 * (b.disk.sectorsWritten - a.disk.sectorsWritten)
		if a.disk.flushes >= 0 && b.disk.flushes >= 0 {
			c.flushOK = true
			c.flushes = b.disk.flushes - a.disk.flushes
		}
	}
	return c
}

// cpuPerMsg is the server's CPU time per message.
func (c writeCost) cpuPerMsg() time.Duration {
	if c.msgs <= 0 {
		return 0
	}
	return c.cpu / time.Duration(c.msgs)
}

func (c writeCost) perMsg(n int64) float64 {
	if c.msgs <= 0 {
		return 0
	}
	return float64(n) / float64(c.msgs)
}

// Cells for the reports; "n/a" where the kernel did not say.

func (c writeCost) cpuText() string {
	if c.msgs <= 0 {
		return "n/a"
	}
	return us(c.cpuPerMsg())
}

func (c writeCost) writtenText() string {
	if !c.ioOK || c.msgs <= 0 {
		return "n/a"
	}
	return kb(c.perMsg(c.written))
}

func (c writeCost) wcharText() string {
	if !c.ioOK || c.msgs <= 0 {
		return "n/a"
	}
	return fmt.Sprintf("%s (%.1f)", kb(c.perMsg(c.wchar)), c.perMsg(c.syscw))
}

func (c writeCost) devWrittenText() string {
	if !c.diskOK || c.msgs <= 0 {
		return "n/a"
	}
	return kb(c.perMsg(c.devWritten))
}

// msgsPerFlushText is the messages acknowledged per flush of the device:
// with bbolt's two fsyncs a commit, about twice the messages a commit
// holds, when nothing else on the machine flushes.
func (c writeCost) msgsPerFlushText() string {
	switch {
	case !c.flushOK || c.msgs <= 0:
		return "n/a"
	case c.flushes == 0:
		return "no flush"
	}
	return fmt.Sprintf("%.1f", float64(c.msgs)/float64(c.flushes))
}

// fileWritten is the bytes the server passed to write system calls on
// files: wchar less its socket writes.
func (c writeCost) fileWritten() int64 { return c.wchar - c.socketBytes }

func (c writeCost) fileWrittenText() string {
	if !c.ioOK || c.msgs <= 0 || c.socketBytes <= 0 {
		return "n/a"
	}
	return kb(c.perMsg(c.fileWritten()))
}

// folioNote explains a write_bytes well above the file writes, for the
// report; empty when they agree.
func (c writeCost) folioNote() string {
	if !c.ioOK || c.msgs <= 0 || c.socketBytes <= 0 || c.fileWritten() <= 0 || float64(c.written) <= 1.25*float64(c.fileWritten()) {
		return ""
	}
	return fmt.Sprintf("write_bytes (%s per message) exceeds the server's file writes (%s per message) by %.0f %%: some of the pages it wrote were in page-cache folios "+
		"larger than 4 KB, which write_bytes counts whole. What reaches the disk is the file writes' pages (and the journal's); the device's counter, when nothing else "+
		"writes to it, is the check.", kb(c.perMsg(c.written)), kb(c.perMsg(c.fileWritten())), 100*(float64(c.written)/float64(c.fileWritten())-1))
}

// wsFrameLen is the bytes of an unmasked server frame with n bytes of
// payload (RFC 6455 §5.2).
func wsFrameLen(n int) int {
	switch {
	case n <= 125:
		return n + 2
	case n <= 65535:
		return n + 4
	}
	return n + 10
}

// deviceLoad is what other processes write to the data directory's
// device while the server idles.
type deviceLoad struct {
	bytesPerSec, flushesPerSec float64
	ok, flushOK                bool
}

// deviceBackground watches the data directory's device for d.
func (s *server) deviceBackground(d time.Duration) deviceLoad {
	a := s.meter()
	time.Sleep(d)
	b := s.meter()
	if !a.diskOK || !b.diskOK {
		return deviceLoad{}
	}
	secs := b.proc.at.Sub(a.proc.at).Seconds()
	l := deviceLoad{ok: true, bytesPerSec: float64(512*(b.disk.sectorsWritten-a.disk.sectorsWritten)) / secs}
	if a.disk.flushes >= 0 && b.disk.flushes >= 0 {
		l.flushOK = true
		l.flushesPerSec = float64(b.disk.flushes-a.disk.flushes) / secs
	}
	return l
}

func (l deviceLoad) text() string {
	if !l.ok {
		return "not measured"
	}
	t := kb(l.bytesPerSec) + "/s"
	if l.flushOK {
		t += fmt.Sprintf(" and %.0f flushes/s", l.flushesPerSec)
	}
	return t
}

// wcharProse is wchar per message and its write calls, for sentences.
func (c writeCost) wcharProse() string {
	if !c.ioOK || c.msgs <= 0 {
		return "n/a"
	}
	return fmt.Sprintf("%s in %.1f write calls", kb(c.perMsg(c.wchar)), c.perMsg(c.syscw))
}

// summaryText is the bytes written per message, for the Summary.
func (c writeCost) summaryText() string {
	if !c.ioOK {
		return "n/a (no /proc/PID/io)"
	}
	if c.msgs <= 0 {
		return "n/a (no message acknowledged)"
	}
	t := fmt.Sprintf("%s (write_bytes); file writes %s; wchar %s", c.writtenText(), c.fileWrittenText(), c.wcharProse())
	if c.diskOK {
		t += fmt.Sprintf("; device %s, %s msgs per flush", c.devWrittenText(), c.msgsPerFlushText())
	}
	return t
}

// flushClause says how often the device flushed, for the notes.
func (c writeCost) flushClause() string {
	if !c.flushOK || c.flushes == 0 {
		return ""
	}
	return fmt.Sprintf("; the device flushed once every %.1f messages (bbolt fsyncs twice a commit; the file system's journal may add flushes of its own)",
		float64(c.msgs)/float64(c.flushes))
}

// noWrites is true when messages were committed but write_bytes did not
// move: a file system that does not account writes (tmpfs).
func (c writeCost) noWrites() bool { return c.ioOK && c.msgs > 0 && c.written == 0 }

// writePathMethod says how the write path's figures are measured, for
// the report: over window, the counters' change divided by divisor;
// background is the device's other writers just before.
func writePathMethod(cfg config, srv *server, window, divisor string, background deviceLoad) string {
	dev := "The data directory's device was not found in /proc/diskstats, so the device's figures are n/a."
	if srv.devOK {
		dev = fmt.Sprintf("Device written and flushes are `%s` in /proc/diskstats, the device of the data directories: they include the journal, "+
			"but also whatever else on the machine writes to that device meanwhile (in the second before the load, the server idle: %s). "+
			"bbolt fsyncs twice a commit, so messages per flush is at most half the messages a commit holds.", srv.devName, background.text())
	}
	return fmt.Sprintf("Per-message figures are the change of the server's kernel counters over %s divided by %s. "+
		"Server CPU is utime+stime from /proc/PID/stat. "+
		"write_bytes (less cancelled_write_bytes, from /proc/PID/io) is what the kernel accounts as the server's writes to storage: it counts a page-cache folio "+
		"each time the server dirties a clean one, so it is exact when folios are 4 KB and overstates when they are larger (a 4 KB write into a 2 MB folio counts 2 MB); "+
		"the file system's journal, written by a kernel thread, is not in it. "+
		"wchar, from the same file, is the bytes passed to all of the server's write system calls, files and sockets alike, and write calls their number (syscw). "+
		"File writes are wchar less the bytes of the websocket frames the load generator read, headers included: what bbolt handed to the file system, in whole 4 KB pages, "+
		"all of which an fsync at every commit sends to the disk. "+
		"%s The data directories are in %s (%s), where write_bytes and fsync reach the disk.",
		window, divisor, dev, cfg.dataRoot, cfg.dataFS)
}

// us formats a duration in microseconds.
func us(d time.Duration) string {
	v := float64(d) / float64(time.Microsecond)
	if v < 1000 {
		return fmt.Sprintf("%.1f µs", v)
	}
	return fmt.Sprintf("%.0f µs", v)
}

// Data directories must be on a disk-backed file system: on tmpfs an fsync
// costs nothing and write_bytes stays 0, so the write path would look free.
const (
	tmpfsMagic = 0x01021994
	ramfsMagic = 0x858458f6
)

// fsNames names the file systems a data directory is likely to be on.
var fsNames = map[int64]string{
	0xef53:     "ext4",
	0x58465342: "xfs",
	0x9123683e: "btrfs",
	0x2fc12fc1: "zfs",
	0x794c7630: "overlayfs",
	0x6969:     "nfs",
	tmpfsMagic: "tmpfs",
	ramfsMagic: "ramfs",
}

// fsType names the file system that holds dir.
func fsType(dir string) (name string, inMemory bool, err error) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return "", false, err
	}
	t := int64(st.Type)
	name, ok := fsNames[t]
	if !ok {
		name = fmt.Sprintf("file system 0x%x", t)
	}
	return name, t == tmpfsMagic || t == ramfsMagic, nil
}

// chooseDataRoot is where the scenarios' data directories go: the
// temporary directory, unless it is in memory (tmpfs is /tmp on many
// systems), then /var/tmp, which the FHS keeps on disk across reboots.
func chooseDataRoot() (root, fs, why string) {
	root = os.TempDir()
	name, inMemory, err := fsType(root)
	if err != nil || !inMemory {
		return root, name, ""
	}
	alt := "/var/tmp"
	altName, altInMemory, err := fsType(alt)
	if err != nil || altInMemory {
		return root, name, fmt.Sprintf("%s is %s and so is %s: fsync is free and write_bytes stays 0, so the write path's figures are not the disk's", root, name, alt)
	}
	return alt, altName, fmt.Sprintf("not %s, which is %s: there fsync is free and write_bytes stays 0", root, name)
}

// deviceOf returns the major and minor numbers of the block device that
// holds path, as /proc/diskstats lists them.
func deviceOf(path string) (major, minor uint32, err error) {
	var st syscall.Stat_t
	if err := syscall.Stat(path, &st); err != nil {
		return 0, 0, err
	}
	major, minor = splitDev(uint64(st.Dev))
	return major, minor, nil
}

// splitDev undoes the kernel's encoding of a device number (glibc's
// gnu_dev_major and gnu_dev_minor).
func splitDev(dev uint64) (major, minor uint32) {
	major = uint32((dev>>8)&0xfff) | uint32((dev>>32)&^0xfff)
	minor = uint32(dev&0xff) | uint32((dev>>12)&^0xff)
	return major, minor
}

// every calls fn every d in a goroutine of its own until the returned
// stop, which returns once fn is no longer running.
func every(d time.Duration, fn func()) (stop func()) {
	done, stopped := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(stopped)
		t := time.NewTicker(d)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				fn()
			}
		}
	}()
	return func() { close(done); <-stopped }
}
