"""Pure rules of the counter: no Qt, no database, no I/O."""
