"""Webhook controls: where the sandbox sends its webhooks, what it sent, and live runs.

- ``POST /_sandbox/webhooks`` ``{"zoom": URL or null, "hubspot": URL or null}`` sets the
  targets (a key left out keeps its target); ``GET`` shows them;
- ``GET /_sandbox/webhooks/log``: every event sent or dropped, oldest first;
- ``POST /_sandbox/zoom/webinars/{id}/live``: plays a held session (``webhooks/live.py``).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from ..common import ControlError, Reply
from ..webhooks import live, playback
from ..webhooks.delivery import SERVICES
from ..world import World
from .basics import object_body


def get_targets(req) -> Reply:
    return Reply(200, dict(req.world.webhooks.targets))


def post_targets(req) -> Reply:
    body = object_body(req)
    unknown = sorted(set(body) - set(SERVICES))
    if unknown:
        raise ControlError(400, f"unknown key(s): {', '.join(unknown)}; known: zoom, hubspot")
    for service, url in body.items():
        if url is None:
            continue
        parts = urlsplit(url) if isinstance(url, str) else None
        if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
            raise ControlError(400, f"'{service}' must be an http(s) URL or null")
    return Reply(200, req.world.webhooks.set_targets(body))


def get_log(req) -> Reply:
    entries = req.world.webhooks.log_json()
    return Reply(200, {"total": len(entries), "deliveries": entries})


def live_run(req) -> Reply:
    world: World = req.world
    body = object_body(req)
    opts = live.options(body)
    ref = req.params["webinarId"]
    with world.lock:
        w = world.webinars.get(int(ref)) if ref.isdigit() else None
        if w is None or w.deleted_at is not None:
            raise ControlError(404, f"no webinar has the id {ref!r}")
        summary, timeline = live.play_out(world, w, body, opts)
    plan = playback.schedule(timeline, opts, body.get("seed"))
    playback.start(world.webhooks, plan)
    return Reply(200, {**summary, "events": len(plan),
                       "dropped": sum(p["dropped"] for p in plan),
                       "duplicated": sum(p["twice"] and not p["dropped"] for p in plan),
                       "target": world.webhooks.target("zoom"),
                       "real_duration_s": round(plan[-1]["due_s"], 3)})
