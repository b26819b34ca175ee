"""Signal types: one module per hash type, and the registry of them."""
