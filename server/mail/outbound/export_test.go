package outbound

// IdleConns is how many connections s keeps idle in its pool.
func IdleConns(s *SMTPSender) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.idle)
}
