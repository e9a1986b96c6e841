"""Zoom's listings: ``page_size`` / ``page_number`` and expiring ``next_page_token`` values."""

from __future__ import annotations

import math

from ..common import ZoomError
from ..world import PageTokenError, World

DEFAULT_PAGE_SIZE = 30
MAX_PAGE_SIZE = 300
MAX_USERS_PAGE_SIZE = 2000


def int_param(req, name: str, default: int) -> int:
    raw = req.query.get(name)
    if raw in (None, ""):
        return default
    try:
        return int(raw)
    except ValueError:
        raise ZoomError(400, 300, f"Invalid field: {name}.") from None


def paginate(req, key: tuple, seq, *, max_size: int = MAX_PAGE_SIZE,
             page_number: bool = False):
    """Slice ``seq`` (a list) for this request; returns (items, envelope dict)."""
    world: World = req.world
    size = int_param(req, "page_size", DEFAULT_PAGE_SIZE)
    if size < 1:
        size = DEFAULT_PAGE_SIZE
    size = min(size, max_size)
    total = len(seq)
    token = req.query.get("next_page_token") or ""
    if token:
        try:
            offset = world.page_token_offset(token, key)
        except PageTokenError:
            raise ZoomError(400, 300, "The next page token is invalid or expired.") from None
    elif page_number:
        offset = (max(1, int_param(req, "page_number", 1)) - 1) * size
    else:
        offset = 0
    items = seq[offset:offset + size]
    nxt = world.page_token_new(key, offset + size) if offset + size < total else ""
    env = {"page_count": math.ceil(total / size) if total else 0}
    if page_number:
        env["page_number"] = offset // size + 1
    env.update({"page_size": size, "total_records": total, "next_page_token": nxt})
    return items, env
