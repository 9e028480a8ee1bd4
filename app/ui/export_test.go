package ui

// CompletionQuery exposes completionQuery to the tests.
var CompletionQuery = completionQuery
