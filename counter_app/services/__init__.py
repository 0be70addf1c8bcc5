"""Use cases of the counter. One transaction per use case; each writes its outbox and audit rows
in that same transaction. The window and the command line call these and nothing below them."""
