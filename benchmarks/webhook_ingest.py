"""Benchmark: Zoom webhooks taken in as fast as the server accepts them, and how soon what
they changed is in HubSpot.

    python -m benchmarks.webhook_ingest --events 3000 --concurrency 32 [--json] [--no-redis]

The product runs as in production on one machine: gunicorn with 2 workers and a django-q2
cluster (`manage.py qcluster`) on Redis (REDIS_URL, else a local Redis when one answers; with
--no-redis the queue is on the database and each worker paces HubSpot on its own), on SQLite in
a temporary directory (or DATABASE_URL: an empty scratch database, which the script migrates),
against the sandbox in its own process (HubSpot is another machine in production; here it at
least never waits for the senders' threads in this one). The accounts are linked and one
webinar (Sync ticked) seeded; then a thread pool of --concurrency sends signed events: a third
`webinar.registration_created` (new registrants), a third `webinar.participant_joined` and a
third `webinar.participant_left` (guests, each leave sent after its join). The same number of
requests first goes, the same way, to an empty Django view on the same gunicorn set-up
(benchmarks/empty_view.py), as the yardstick.

The last line of stdout is one JSON object:

- events, acks_per_s (accepted events per second of sending), empty_view_per_s, ack_ratio
  (acks_per_s / empty_view_per_s), ack_p50_ms, ack_p99_ms (time to the 200);
- e2e_p50_ms, e2e_p95_ms: from sending an event to its change visible in the sandbox's
  HubSpot state: a registration's `register` record (the moment the sandbox recorded it), a
  guest's contact at its join (its `createdate`); a leave changes nothing HubSpot shows
  before the session ends (the attend record is sent at `webinar.ended`). The sandbox's own
  times are read once at the end, so no polling of a large state competes with the run;
- batch_window_s (WEBHOOK_BATCH_WINDOW_S), hubspot_calls, events_per_hubspot_call;
- lost (contacts or register records HubSpot lacks at the end), duplicated (records beyond
  one per person and state);
- database ("sqlite" or "postgresql") and redis (true or false): the set-up measured.

It exits 1 when an event is refused, lost or duplicated.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests

from benchmarks.linked_product import product_link_and_discover
from benchmarks.processes import free_port, sandbox_post, sandbox_start, stop
from sandbox.webhooks.signing import zoom_signature

ROOT = Path(__file__).resolve().parents[1]
WEBINAR_ID = 86000000001
UUID = "benchSession000000001=="
HOST = {"id": "benchHost0000000000001", "email": "host@bench.example", "first_name": "Bo",
        "last_name": "Host"}
DEFAULT_REDIS = "redis://127.0.0.1:6379/0"
SETTLE_TIMEOUT_S = 300
POLL_S = 0.5  # only to see when everything arrived: the times come from the sandbox
QUIET_S = 3.0


def log(message: str) -> None:
    print(f"[ingest] {message}", file=sys.stderr, flush=True)


def iso(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.webhook_ingest")
    parser.add_argument("--events", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--json", action="store_true", help="Only the JSON line on stdout.")
    parser.add_argument("--redis", default=os.environ.get("REDIS_URL") or DEFAULT_REDIS,
                        help="Redis for the task queue and the shared HubSpot pacing, as in "
                             "production (default: REDIS_URL, else a local Redis when one "
                             "answers).")
    parser.add_argument("--no-redis", action="store_true",
                        help="Queue on the database, each worker pacing itself (the laptop "
                             "set-up).")
    args = parser.parse_args(argv)
    redis_url = "" if args.no_redis else _redis_answering(args.redis)

    tmp = tempfile.TemporaryDirectory(prefix="bench-ingest-")
    sandbox, sandbox_url = sandbox_start(Path(tmp.name), record=None)
    processes = [sandbox]
    try:
        start = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=5)
        sandbox_post(sandbox_url, "seed", {"scenario": "custom", "users": [HOST], "webinars": [{
            "id": WEBINAR_ID, "topic": "Ingest benchmark", "type": 5, "start_time": iso(start),
            "duration": 60, "host_id": HOST["id"], "timezone": "UTC", "registrants": []}]})
        env = _environment(sandbox_url, Path(tmp.name), redis_url)
        os.environ.update(env)
        account_id, secret, window = _prepare_database()

        port = free_port()
        base = f"http://127.0.0.1:{port}"
        yardstick = _gunicorn("benchmarks.empty_view:application", port, Path(tmp.name))
        _wait_up(base)
        bodies = _events(args.events, account_id, start)
        empty = _send(base, bodies, secret, args.concurrency)
        stop(yardstick)

        os.environ["PUBLIC_BASE_URL"] = base
        processes.append(_gunicorn("config.wsgi:application", port, Path(tmp.name)))
        processes.append(_manage(["qcluster"], Path(tmp.name) / "qcluster.log"))
        _wait_up(base)
        _wait_cluster_up()
        sandbox_post(sandbox_url, "calls/reset")
        sent = _send(base, bodies, secret, args.concurrency)
        log(f"{len(bodies)} events sent in {sent['wall_s']:.1f} s; waiting for HubSpot")
        # Started now: the arrival times are the sandbox's, so watching needs no share of
        # the machine while the events are sent.
        watcher = Watcher(sandbox_url, bodies)
        watcher.start()
        watcher.wait(SETTLE_TIMEOUT_S)
        log(f"{len(watcher.seen)} of {len(watcher.expected)} changes seen in HubSpot")
        calls = requests.get(f"{sandbox_url}/_sandbox/calls", timeout=60).json()
        final = requests.get(f"{sandbox_url}/_sandbox/state", params={"section": "hubspot"},
                             timeout=120).json()["hubspot"]
    finally:
        for process in reversed(processes):
            stop(process)
        tmp.cleanup()

    hubspot_calls = sum(n for k, n in calls["by_endpoint"].items() if k.startswith("hubspot "))
    lost, duplicated = _compare(final, bodies)
    e2e = sorted(watcher.latencies_ms(sent["sent_at"]))
    acks_per_s = sent["ok"] / sent["wall_s"]
    empty_per_s = empty["ok"] / empty["wall_s"]
    result = {
        "events": len(bodies),
        "acks_per_s": round(acks_per_s, 1),
        "empty_view_per_s": round(empty_per_s, 1),
        "ack_ratio": round(acks_per_s / empty_per_s, 3),
        "ack_p50_ms": _pct(sent["ack_ms"], 50),
        "ack_p99_ms": _pct(sent["ack_ms"], 99),
        "e2e_p50_ms": _pct(e2e, 50),
        "e2e_p95_ms": _pct(e2e, 95),
        "batch_window_s": window,
        "hubspot_calls": hubspot_calls,
        "events_per_hubspot_call": round(len(bodies) / hubspot_calls, 1) if hubspot_calls
        else None,
        "lost": lost,
        "duplicated": duplicated,
        "database": "sqlite" if env["DATABASE_URL"].startswith("sqlite") else "postgresql",
        "redis": bool(redis_url),
        "refused": len(bodies) - sent["ok"],
    }
    if not args.json:
        for key, value in result.items():
            print(f"{key:>24}: {value}")
    print(json.dumps(result))
    return 1 if (lost or duplicated or result["refused"]) else 0


# --- the product --------------------------------------------------------------------------

def _redis_answering(url: str) -> str:
    """The URL when a Redis answers there, else "" (the benchmark then runs without)."""
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except Exception:  # any failure means: no Redis to use
        log(f"no Redis answers at {url}: the queue is on the database")
        return ""
    return url


def _environment(sandbox_url: str, tmp: Path, redis_url: str) -> dict:
    return {
        "REDIS_URL": redis_url,
        "RATE_LIMIT_STORAGE_URL": redis_url or "memory://",
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DEBUG": "false",  # DEBUG keeps every query in memory
        "LOG_LEVEL": "WARNING",
        "DATABASE_URL": os.environ.get("DATABASE_URL") or f"sqlite:///{tmp / 'db.sqlite3'}",
        "Q_CLUSTER_NAME": f"ingest-{os.getpid()}",
        "ZOOM_OAUTH_BASE_URL": f"{sandbox_url}/zoom",
        "ZOOM_API_BASE_URL": f"{sandbox_url}/zoom/v2",
        "HUBSPOT_API_BASE_URL": f"{sandbox_url}/hubspot",
    }


def _prepare_database() -> tuple[str, str, float]:
    """The linked product (benchmarks/linked_product.py) with the webinar's Sync box ticked, so
    only webhooks start work."""
    creds = product_link_and_discover()
    from django.conf import settings

    from webinars.models import Webinar

    Webinar.objects.filter(zoom_id=str(WEBINAR_ID)).update(sync_enabled=True)
    return (creds["zoom"]["account_id"], creds["zoom"]["webhook_secret"],
            float(settings.WEBHOOK_BATCH_WINDOW_S))


def _gunicorn(app: str, port: int, tmp: Path) -> subprocess.Popen:
    return _spawn([sys.executable, "-m", "gunicorn", app, "--workers", "2",
                   "--bind", f"127.0.0.1:{port}", "--log-level", "warning"],
                  tmp / f"gunicorn-{app.split('.')[0]}.log")


def _manage(args: list[str], log_path: Path) -> subprocess.Popen:
    return _spawn([sys.executable, "manage.py", *args], log_path)


def _spawn(command: list[str], log_path: Path) -> subprocess.Popen:
    # output to a file, never a pipe nobody reads; its own group, so stopping it stops all
    with log_path.open("wb") as out:
        return subprocess.Popen(command, cwd=ROOT, env=dict(os.environ), stdout=out,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=True)


def _wait_up(base: str) -> None:
    """Until gunicorn answers, then a few dozen calls at once, so both workers have loaded the
    application before anything is timed (the yardstick is warmed the same way)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            requests.get(f"{base}/webhooks/zoom/", timeout=10)
            break
        except requests.RequestException:
            time.sleep(0.1)
    else:
        raise SystemExit("gunicorn did not start")
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda _: requests.get(f"{base}/webhooks/zoom/", timeout=30), range(64)))


def _wait_cluster_up() -> None:
    """Until the worker cluster has run a task: in production it is up before events come."""
    from django_q.tasks import async_task, result

    task_id = async_task("math.floor", 1.5)
    if result(task_id, wait=60_000) != 1:
        raise SystemExit("the worker cluster did not start")


# --- the events ---------------------------------------------------------------------------

def _events(count: int, account_id: str, start: datetime) -> list[dict]:
    """Registrations of new people and guests' joins and leaves, in equal parts, mixed."""
    webinar = {"id": str(WEBINAR_ID), "uuid": UUID, "host_id": HOST["id"],
               "topic": "Ingest benchmark", "type": 5, "start_time": iso(start),
               "duration": 60, "timezone": "UTC"}
    start_ms = int(start.timestamp() * 1000)
    bodies = []
    people = (count + 2) // 3
    for i in range(people):
        # registered before the session began (a registration during it does not cover it)
        bodies.append({"event": "webinar.registration_created",
                       "event_ts": start_ms - 3_600_000 + i, "payload": {
            "account_id": account_id, "object": {**webinar, "registrant": {
                "id": f"reg{i:08d}", "email": f"reg{i}@bench.example", "first_name": "Reg",
                "last_name": f"N{i}", "status": "approved",
                "join_url": f"https://zoom.us/w/{WEBINAR_ID}?tk=r{i}"}}}})
        for kind, minute in (("joined", 1), ("left", 30)):
            field = "join_time" if kind == "joined" else "leave_time"
            bodies.append({"event": f"webinar.participant_{kind}",
                           "event_ts": start_ms + minute * 60_000 + i,
                           "payload": {"account_id": account_id, "object": {**webinar,
                                       "participant": {
                                           "user_id": f"{16000000 + i}",
                                           "user_name": f"Guest {i}", "id": f"guest{i:08d}",
                                           "participant_uuid": f"pu{i:08d}",
                                           "email": f"guest{i}@bench.example",
                                           "registrant_id": "", "participant_user_id": "",
                                           field: iso(start + timedelta(minutes=minute))}}}})
    # registrations first in each group of three, each guest's leave after its join
    return bodies[:count]


def _send(base: str, bodies: list[dict], secret: str, concurrency: int) -> dict:
    session_local = threading.local()
    sent_at = [0.0] * len(bodies)
    ack_ms = [0.0] * len(bodies)
    ok = [False] * len(bodies)

    def one(i: int) -> None:
        session = getattr(session_local, "s", None)
        if session is None:
            session = session_local.s = requests.Session()
        raw = json.dumps(bodies[i]).encode()
        stamp = str(int(time.time()))
        headers = {"Content-Type": "application/json", "x-zm-request-timestamp": stamp,
                   "x-zm-signature": zoom_signature(secret, stamp, raw)}
        sent_at[i] = time.time()  # the sandbox's clock: e2e compares the two
        began = time.monotonic()
        answer = session.post(f"{base}/webhooks/zoom/", data=raw, headers=headers, timeout=30)
        ack_ms[i] = (time.monotonic() - began) * 1000
        ok[i] = answer.status_code == 200

    began = time.monotonic()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        list(pool.map(one, range(len(bodies))))
    return {"wall_s": time.monotonic() - began, "ok": sum(ok), "ack_ms": sorted(ack_ms),
            "sent_at": sent_at}


class Watcher(threading.Thread):
    """Waits until every expected change is in HubSpot's state, and takes the time each one
    arrived from the sandbox's own record of it."""

    def __init__(self, sandbox_url: str, bodies: list[dict]):
        super().__init__(daemon=True)
        self.url = sandbox_url
        self.expected = {}  # what shows → the event's index
        for i, body in enumerate(bodies):
            obj = body["payload"]["object"]
            if body["event"] == "webinar.registration_created":
                self.expected[("register", obj["registrant"]["email"])] = i
            elif body["event"] == "webinar.participant_joined":
                self.expected[("contact", obj["participant"]["email"])] = i
        self.seen: dict[tuple, float] = {}  # → when the sandbox took it (epoch seconds)
        self.done = threading.Event()

    def run(self) -> None:
        # The state of thousands of contacts takes the sandbox a while to write, and it
        # answers no HubSpot call meanwhile: it is read only once HubSpot has been quiet for
        # QUIET_S, never while the product is pushing.
        last, quiet_since = None, time.monotonic()
        while not self.done.is_set():
            calls = requests.get(f"{self.url}/_sandbox/calls", timeout=60).json()["total"]
            if calls != last:
                last, quiet_since = calls, time.monotonic()
            elif time.monotonic() - quiet_since >= QUIET_S:
                self._look()
                quiet_since = time.monotonic()
            self.done.wait(POLL_S)

    def _look(self) -> None:
        state = requests.get(f"{self.url}/_sandbox/state", params={"section": "hubspot"},
                             timeout=120).json()["hubspot"]
        arrived = {("contact", c["properties"].get("email")): c["properties"]["createdate"]
                   for c in state["contacts"]}
        arrived.update({(a["state"], a["email"]): a["recordedAt"]
                        for e in state["marketing_events"] for a in e["attendance"]})
        for key in arrived.keys() & self.expected.keys():
            self.seen.setdefault(key, _epoch_s(arrived[key]))
        if len(self.seen) == len(self.expected):
            self.done.set()

    def wait(self, timeout: float) -> None:
        self.done.wait(timeout)
        self.done.set()
        self.join(timeout=120)

    def latencies_ms(self, sent_at: list[float]) -> list[float]:
        return [(at - sent_at[self.expected[key]]) * 1000 for key, at in self.seen.items()]


def _epoch_s(iso_ms: str) -> float:
    return datetime.fromisoformat(iso_ms.replace("Z", "+00:00")).timestamp()


def _compare(state: dict, bodies: list[dict]) -> tuple[int, int]:
    contacts = Counter(c["properties"].get("email") for c in state["contacts"])
    records = Counter((a["email"], a["state"]) for e in state["marketing_events"]
                      for a in e["attendance"])
    wanted_contacts, wanted_records = set(), set()
    for body in bodies:
        obj = body["payload"]["object"]
        person = obj.get("registrant") or obj.get("participant")
        wanted_contacts.add(person["email"])
        if body["event"] == "webinar.registration_created":
            wanted_records.add((person["email"], "register"))
    missing = [e for e in wanted_contacts if not contacts[e]][:3] + [
        r for r in wanted_records if not records[r]][:3]
    if missing:
        log(f"missing in HubSpot, e.g. {missing}")
    lost = (sum(1 for e in wanted_contacts if not contacts[e])
            + sum(1 for r in wanted_records if not records[r]))
    duplicated = (sum(n - 1 for n in contacts.values() if n > 1)
                  + sum(n - 1 for n in records.values() if n > 1))
    return lost, duplicated


def _pct(values: list[float], pct: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(len(ordered) * pct / 100))], 1)


if __name__ == "__main__":
    sys.exit(main())
