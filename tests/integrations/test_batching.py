"""Cutting lists into API batches and database chunks."""

import pytest

from integrations.batching import chunks


@pytest.mark.parametrize(("n", "size", "lengths"), [
    (0, 3, []),
    (1, 3, [1]),
    (3, 3, [3]),
    (7, 3, [3, 3, 1]),
    (6, 2, [2, 2, 2]),
    (5, 1, [1, 1, 1, 1, 1]),
])
def test_every_item_once_in_order_in_pieces_of_at_most_size(n, size, lengths):
    items = [f"p{i}@crowd.example" for i in range(n)]
    pieces = list(chunks(items, size))
    assert [len(p) for p in pieces] == lengths
    assert [item for piece in pieces for item in piece] == items


@pytest.mark.parametrize("size", [0, -2])
def test_a_size_below_one_is_refused_instead_of_looping(size):
    with pytest.raises(ValueError, match="at least 1"):
        list(chunks([1, 2, 3], size))
