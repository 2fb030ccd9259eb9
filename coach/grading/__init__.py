"""Grading: the trained answer judge (a bilingual cross-encoder) and what is built on it."""
