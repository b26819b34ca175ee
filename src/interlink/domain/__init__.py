"""Pure, typed records and rules. Nothing here does I/O."""
