"""Sending a live run's events: the switches, then one thread that sends each event when its
simulated moment comes.

- ``drop_rate``: the share of events never sent (logged as dropped; still in the reports);
- ``duplicate_rate``: the share sent twice in a row (the second logged as duplicated);
- ``shuffle``: the events leave in a random order (each keeps its own ``event_ts``), in the
  time slots of the ordered run;
- ``delay_ms``: every event leaves that much later than its moment;
- ``speed``: simulated seconds per real second (None: at once).

The thread waits for each event's first attempt before the next leaves, so without
``shuffle`` a receiver sees them in order unless a retry comes late, as with Zoom. ``seed``
makes the draws repeatable.
"""

from __future__ import annotations

import random
import threading
import time
from concurrent.futures import TimeoutError as FutureTimeout

from .delivery import Webhooks

FIRST_ATTEMPT_WAIT_S = 5.0


def schedule(timeline: list, opts: dict, seed) -> list[dict]:
    """[{"due_s", "body", "dropped", "twice"}] in sending order."""
    rng = random.Random(seed)
    t0 = timeline[0][0]
    bodies = [event for _when, event in timeline]
    if opts["shuffle"] and len(bodies) > 1:
        original = list(bodies)
        while bodies == original:
            rng.shuffle(bodies)
    out = []
    for (when, _event), event in zip(timeline, bodies, strict=True):
        simulated = (when - t0).total_seconds()
        due = (simulated / opts["speed"] if opts["speed"] else 0.0) + opts["delay_s"]
        out.append({"due_s": due, "body": event,
                    "dropped": rng.random() < opts["drop_rate"],
                    "twice": rng.random() < opts["duplicate_rate"]})
    return out


def start(webhooks: Webhooks, plan: list[dict]) -> threading.Thread:
    generation = webhooks.generation
    thread = threading.Thread(target=_play, args=(webhooks, plan, generation),
                              name="sandbox-live-run", daemon=True)
    thread.start()
    return thread


def _play(webhooks: Webhooks, plan: list[dict], generation: int) -> None:
    began = time.monotonic()
    for item in plan:
        wait = item["due_s"] - (time.monotonic() - began)
        if wait > 0:
            time.sleep(wait)
        if webhooks.generation != generation:
            return  # the sandbox was reset: the run is over
        copies = [False, True] if item["twice"] and not item["dropped"] else [False]
        for duplicate in copies:
            first = webhooks.zoom(item["body"], dropped=item["dropped"], duplicate=duplicate)
            if first is not None:
                try:
                    first.result(timeout=FIRST_ATTEMPT_WAIT_S)
                except FutureTimeout:
                    pass  # a stuck receiver does not hold the run back for ever
