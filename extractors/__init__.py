"""Getting documents in: sources (where bytes come from) and readers (bytes to page-aware text)."""
