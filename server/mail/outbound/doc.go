// Package outbound builds Parley's emails and hands them to an SMTP server.
//
// It knows nothing of the store or the web server: the caller (the mail job
// runner, wired in cmd) gives it a Mail and gets back nil, a temporary error
// to retry later, or a Permanent one to give up on. Every Mail carries a
// Message-ID that the caller keeps with its job, so a mail sent again after a
// crash between the SMTP server's "250 OK" and the job's commit is the same
// mail to the receiver, not a second one.
//
// It may import the standard library and emersion's go-smtp (client) and
// go-message (MIME writer), nothing of Parley.
package outbound
