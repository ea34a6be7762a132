"""BM25: tokenizing, the sparse index and its streaming build, query synonyms, and the lexicons
they read (lexicons/*.yaml)."""
