"""Ingest: load documents, clean web-export junk, parse interview items, chunk with CJK awareness."""
