"""Index: embedding models, the persisted FAISS store with its manifest, hybrid dense + BM25 retrieval."""
