"""A webinar's panelists (``GET /webinars/{id}/panelists``): the speakers the host invited.

Zoom's listing has no pages: every panelist at once, with ``total_records``. A panelist joins
on their own link; their participant rows are like anyone's (``internal_user`` false for a
guest speaker from outside the account), so only their e-mail tells them apart.
"""

from __future__ import annotations

from ..common import Reply
from ..world import World
from .webinars import get_webinar, join_url


def list_panelists(req) -> Reply:
    world: World = req.world
    with world.lock:
        w = get_webinar(world, req.params["webinarId"])
        return Reply(200, {
            "total_records": len(w.panelists),
            "panelists": [{"id": p.id, "email": p.email, "name": p.name,
                           "join_url": join_url(world, w, p.tk)} for p in w.panelists],
        })
