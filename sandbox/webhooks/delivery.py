"""Posting webhooks: the targets, a thread pool, retries and the delivery log.

Zoom waits 3 s for an answer and retries only a 5xx or no answer, 5, 20 and 60 minutes later
(a 4xx loses the event). HubSpot waits 5 s and retries a failed connection, a timeout or any
4xx/5xx, up to 10 times, with ``attemptNumber`` counting the attempts. Both retry schedules are
compressed so that tests see them: one minute of the service's wait is ``MINUTE_S`` real
seconds (Zoom's three retries come 50, 200 and 600 ms apart).

Each attempt is signed when it leaves, with the sandbox clock's time, so a receiver's
"timestamp too old" check sees a fresh timestamp on a retry, as with the real services.
"""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from concurrent.futures import Future, ThreadPoolExecutor

from ..clock import Clock
from ..credentials import HUBSPOT_CLIENT_SECRET, ZOOM_WEBHOOK_SECRET
from .signing import hubspot_signature_v3, zoom_signature

MINUTE_S = 0.01
ZOOM_TIMEOUT_S = 3.0
ZOOM_RETRY_MINUTES = (5, 20, 60)
HUBSPOT_TIMEOUT_S = 5.0
HUBSPOT_RETRY_MINUTES = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512)
SERVICES = ("zoom", "hubspot")


def _post(url: str, body: bytes, headers: dict, timeout: float) -> int | None:
    """The answer's status, or None when there was none in time (or no connection)."""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            response.read()
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except (OSError, ValueError):
        return None


class Webhooks:
    """Targets, the log, and the pool deliveries leave from (one per ``World``)."""

    def __init__(self, clock: Clock):
        self.clock = clock
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="sandbox-webhook")
        self._generation = 0
        self._closed = False
        self._next_event_id = 0
        self.clear()

    def close(self) -> None:
        """Stops sending (the server stopped): pending retries and live runs end."""
        with self._lock:
            self._closed = True
            self._generation += 1
        self._pool.shutdown(wait=False, cancel_futures=True)

    def clear(self) -> None:
        """No targets, an empty log; retries still pending are abandoned."""
        with self._lock:
            self._generation += 1
            self.targets: dict[str, str | None] = {"zoom": None, "hubspot": None}
            self.log: list[dict] = []

    def set_targets(self, targets: dict) -> dict:
        with self._lock:
            for service in SERVICES:
                if service in targets:
                    self.targets[service] = targets[service]
            return dict(self.targets)

    @property
    def generation(self) -> int:
        """Changes at each ``clear()``: what a live run checks to stop after a reset."""
        return self._generation

    def target(self, service: str) -> str | None:
        return self.targets.get(service)

    def log_json(self) -> list[dict]:
        with self._lock:
            return [dict(entry) for entry in self.log]

    def next_hubspot_event_id(self) -> int:
        with self._lock:
            self._next_event_id += 1
            return self._next_event_id

    # ------------------------------------------------------------------ sending
    def zoom(self, body: dict, *, dropped: bool = False, duplicate: bool = False
             ) -> Future | None:
        """Sends one Zoom event (when a Zoom target is set); the future ends with its first
        attempt."""
        raw = json.dumps(body, separators=(",", ":")).encode()
        return self._send("zoom", body["event"], body["event_ts"],
                          lambda attempt: (raw, self._zoom_headers(raw)),
                          dropped=dropped, duplicate=duplicate)

    def hubspot(self, events: list[dict]) -> Future | None:
        """Sends one batch of HubSpot events (when a HubSpot target is set)."""
        url = self.targets.get("hubspot")

        def build(attempt: int):
            raw = json.dumps([{**e, "attemptNumber": attempt} for e in events],
                             separators=(",", ":")).encode()
            return raw, self._hubspot_headers(url, raw)

        kinds = ",".join(sorted({e["subscriptionType"] for e in events}))
        return self._send("hubspot", kinds, events[0]["occurredAt"], build)

    def _zoom_headers(self, raw: bytes) -> dict:
        ts = str(int(self.clock.time()))
        return {"Content-Type": "application/json; charset=utf-8",
                "User-Agent": "Zoom Marketplace/1.1a",
                "x-zm-request-timestamp": ts,
                "x-zm-signature": zoom_signature(ZOOM_WEBHOOK_SECRET, ts, raw)}

    def _hubspot_headers(self, url: str, raw: bytes) -> dict:
        ts = str(int(self.clock.time() * 1000))
        return {"Content-Type": "application/json",
                "User-Agent": "HubSpot Connect 2.0 (http://dev.hubspot.com/)",
                "X-HubSpot-Request-Timestamp": ts,
                "X-HubSpot-Signature-Version": "v3",
                "X-HubSpot-Signature-v3": hubspot_signature_v3(HUBSPOT_CLIENT_SECRET, "POST",
                                                               url, raw, ts)}

    def _send(self, service: str, event: str, when_ms: int, build, *, dropped=False,
              duplicate=False) -> Future | None:
        with self._lock:
            url = self.targets.get(service)
            if url is None or self._closed:
                return None
            entry = {"id": len(self.log) + 1, "service": service, "event": event,
                     "event_ts": when_ms, "url": url, "status": None, "attempts": 0,
                     "state": "dropped" if dropped else "pending", "dropped": dropped,
                     "duplicated": duplicate}
            self.log.append(entry)
            generation = self._generation
        if dropped:
            return None
        first = Future()
        self._pool.submit(self._attempt, service, url, entry, build, generation, first)
        return first

    def _attempt(self, service, url, entry, build, generation, first=None) -> None:
        try:
            raw, headers = build(entry["attempts"])
            timeout = ZOOM_TIMEOUT_S if service == "zoom" else HUBSPOT_TIMEOUT_S
            status = _post(url, raw, headers, timeout)
            self._settle(service, url, entry, build, generation, status)
        finally:
            if first is not None:
                first.set_result(entry["status"])

    def _settle(self, service, url, entry, build, generation, status) -> None:
        waits = ZOOM_RETRY_MINUTES if service == "zoom" else HUBSPOT_RETRY_MINUTES
        retry = status is None or status >= 500 or (service == "hubspot" and status >= 400)
        with self._lock:
            entry["attempts"] += 1
            entry["status"] = status
            if 200 <= (status or 0) < 300:
                entry["state"] = "delivered"
                return
            if not retry or entry["attempts"] > len(waits) or generation != self._generation:
                entry["state"] = "failed"
                return
            entry["state"] = "retrying"
            wait = waits[entry["attempts"] - 1] * MINUTE_S
        timer = threading.Timer(wait, self._retry, (service, url, entry, build, generation))
        timer.daemon = True
        timer.start()

    def _retry(self, service, url, entry, build, generation) -> None:
        with self._lock:
            if generation != self._generation:
                entry["state"] = "failed"  # reset or stopped while waiting
                return
            self._pool.submit(self._attempt, service, url, entry, build, generation)
