"""Evaluation and benchmarks; never imported by runtime code."""
