"""Grading: the rubric grader, the trained answer judge (a bilingual cross-encoder) it reads with, the lexical contradiction rules, and the optional LLM rubric judge."""
