package search

// Snippet is snippet with matches as [start, end) byte offsets.
func Snippet(text string, matches [][2]int) string {
	var s []span
	for _, m := range matches {
		s = append(s, span{m[0], m[1]})
	}
	return snippet(text, s)
}

// SetQueueEntries bounds the queue to n entries until the test ends; call
// it before Open.
func SetQueueEntries(tb interface{ Cleanup(func()) }, n int64) {
	old := queueEntries
	queueEntries = n
	tb.Cleanup(func() { queueEntries = old })
}
