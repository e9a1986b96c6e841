"""Cutting long lists into pieces: API batches (HubSpot takes 100 inputs a call) and database
queries (a few thousand ids per `IN (…)`, under SQLite's and PostgreSQL's parameter limits)."""

from collections.abc import Iterator


def chunks(items: list, size: int) -> Iterator[list]:
    """Consecutive slices of at most `size` items, in order; nothing for an empty list."""
    if size < 1:
        raise ValueError(f"chunk size must be at least 1, not {size}")
    for start in range(0, len(items), size):
        yield items[start:start + size]
