"""Text embeddings: the ``Embedder`` implementations, the vector cache, the e5 weight converter."""
