"""The mail outbox: messages are stored in the request's transaction and sent after commit."""
