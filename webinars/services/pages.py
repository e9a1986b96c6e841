"""Zoom's listings gathered a few pages at a time for one bulk write to the mirror."""

from collections.abc import Iterable, Iterator

# Rows gathered from Zoom pages (300 each) before one bulk write to the mirror.
ROWS_PER_WRITE = 1500


def rows_batched(pages: Iterable[list], size: int = ROWS_PER_WRITE) -> Iterator[list]:
    batch = []
    for page in pages:
        batch.extend(page)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
