"""Streamlit UI: thin pages over the coach engine."""
