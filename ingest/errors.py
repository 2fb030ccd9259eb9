"""One exception type whose message is the single clear sentence shown to the person."""


class IngestError(Exception):
    """A document could not be used; the message says which and why."""
