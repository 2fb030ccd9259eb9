"""Index problems the person can act on; the message says what to do."""


class IndexProblem(Exception):
    """Missing, corrupted or mismatched index; the message carries the rebuild hint."""
