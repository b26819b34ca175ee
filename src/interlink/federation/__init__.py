"""Federation between national nodes: policy files, node identity and signed messages, list
sync batches, and private overlap (PSI)."""
