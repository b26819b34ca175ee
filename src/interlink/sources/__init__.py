"""Evidence sources: one module per container, each yielding entries with provenance."""
