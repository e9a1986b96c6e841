"""Benchmark: many webinars synced by a fleet of workers sharing HubSpot's rate limit.

    REDIS_URL=redis://127.0.0.1:6379/0 DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
    python -m benchmarks.sync_fleet --webinars 20 --registrants 2000 --workers 3 \\
        --hubspot-limit 190 [--attendees N] [--processes-per-worker 2] [--seed 1]
        [--record FILE] [--json]

The production set-up, on one machine: django-q2 on Redis (REDIS_URL) and PostgreSQL
(DATABASE_URL: the server to use; the script creates a fresh database there and drops it at
the end). The sandbox runs as its own HTTP server process, seeded with W past webinars of R
registrants each (the same people register for every webinar, A of them attend each) and
HubSpot's limit set to --hubspot-limit requests per 10 s; the product paces itself by the same
limit, through the window all workers share in Redis. N `manage.py qcluster` processes are
started, the repeating schedule is switched off, then every webinar is triggered as the admin
does (its Sync box ticked) and a third of them a second time (Sync now, as a double click
would) once the first syncs are under way; the script waits for every run to end.

The last line of stdout is one JSON object:

- webinars, workers, registrants, attendees, hubspot_limit, processes_per_worker;
- wall_s: from the first trigger to the end of the last run;
- hubspot_calls, hubspot_429s (HubSpot calls and 429 answers, as the sandbox counted them),
  zoom_calls, zoom_429s;
- floor_s = hubspot_calls / hubspot_limit × 10 s (the least time HubSpot's limit allows for
  those calls), floor_ratio = wall_s / floor_s;
- duplicated_records: attendance records in HubSpot beyond one per (event, person, state);
- state_ok, state_errors: HubSpot's contacts, roll-ups over all webinars, events and
  attendance against what benchmarks/expected_state.py works out from the sandbox's Zoom data;
- runs, runs_failed, max_runs_per_webinar, second_triggers, second_triggers_joined;
- cpu_s_workers, cpu_s_sandbox: CPU seconds the workers and the sandbox used (how much of
  the machine the fleet needed), load_before: the load average when the triggers went out.

Without REDIS_URL or a PostgreSQL DATABASE_URL it refuses to run (exit 2). A failed run, a
duplicate or a state that differs from the expected one makes it exit 1.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import requests

from benchmarks.expected_state import check_states
from benchmarks.linked_product import product_link_and_discover
from benchmarks.processes import sandbox_post, sandbox_start, stop

ROOT = Path(__file__).resolve().parents[1]
SECOND_TRIGGER_EVERY = 3  # every third webinar is triggered twice


def log(message: str) -> None:
    print(f"[fleet] {message}", file=sys.stderr, flush=True)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.sync_fleet")
    parser.add_argument("--webinars", type=int, default=20)
    parser.add_argument("--registrants", type=int, default=2000)
    parser.add_argument("--attendees", type=int, default=None,
                        help="Attendees per webinar (default: 70 %% of the registrants).")
    parser.add_argument("--workers", type=int, default=3, help="qcluster processes.")
    parser.add_argument("--processes-per-worker", type=int, default=2,
                        help="Worker processes inside each qcluster (Q_WORKERS).")
    parser.add_argument("--hubspot-limit", type=int, default=190,
                        help="HubSpot requests per 10 s, for the sandbox and the product.")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=1800, help="Seconds to wait at most.")
    parser.add_argument("--record", metavar="FILE", default=None,
                        help="The sandbox writes every exchange to FILE (one JSON line each).")
    parser.add_argument("--json", action="store_true", help="Only the JSON line on stdout.")
    args = parser.parse_args(argv)
    attendees = (round(args.registrants * 0.7) if args.attendees is None else args.attendees)

    redis_url, server_url = _required_services()
    tmp = tempfile.TemporaryDirectory(prefix="bench-fleet-")
    database = f"zoomsync_fleet_{os.getpid()}"
    sandbox = workers = None
    try:
        database_url = _database_create(server_url, database)
        sandbox, sandbox_url = sandbox_start(Path(tmp.name), record=args.record)
        log(f"sandbox at {sandbox_url}: {args.webinars} webinars × {args.registrants} "
            f"registrants ({attendees} attend each), HubSpot {args.hubspot_limit} per 10 s")
        sandbox_post(sandbox_url, "seed", {"scenario": "bench", "webinars": args.webinars,
                                    "registrants": args.registrants, "attendees": attendees,
                                    "seed": args.seed})
        sandbox_post(sandbox_url, "limits", {"hubspot_per_10s": args.hubspot_limit})
        env = _environment(sandbox_url, database_url, redis_url, args)
        os.environ.update(env)
        webinar_ids = _prepare_database()
        workers = _workers_start(args.workers, Path(tmp.name))
        sandbox_post(sandbox_url, "calls/reset")  # linking and discovery are not part of it

        load_before = round(os.getloadavg()[0], 2)
        log(f"triggering {len(webinar_ids)} webinars on {args.workers} workers "
            f"(load average {load_before})")
        started = time.monotonic()
        triggers = _trigger_all_and_wait(webinar_ids, timeout_s=args.timeout)
        wall = time.monotonic() - started
        log(f"all runs ended after {wall:.1f} s; checking HubSpot's state")
        _check_workers_alive(workers, Path(tmp.name))
        cpu = {"cpu_s_workers": _cpu_seconds(workers), "cpu_s_sandbox": _cpu_seconds([sandbox]),
               "load_before": load_before}
        calls = requests.get(f"{sandbox_url}/_sandbox/calls", timeout=60).json()
        hubspot = requests.get(f"{sandbox_url}/_sandbox/state", params={"section": "hubspot"},
                               timeout=600).json()["hubspot"]
        state_errors = check_states(sandbox_url, webinar_ids)
        runs = _runs_summary(webinar_ids)
    finally:
        if workers:
            _workers_stop(workers)
        if sandbox:
            stop(sandbox)
        _database_drop(server_url, database)
        tmp.cleanup()

    hubspot_calls = _count(calls["by_endpoint"], "hubspot ")
    floor = 10 * hubspot_calls / args.hubspot_limit
    result = {
        "webinars": args.webinars,
        "workers": args.workers,
        "processes_per_worker": args.processes_per_worker,
        "registrants": args.registrants,
        "attendees": attendees,
        "hubspot_limit": args.hubspot_limit,
        "wall_s": round(wall, 2),
        "floor_s": round(floor, 2),
        "floor_ratio": round(wall / floor, 4) if floor else None,
        "hubspot_calls": hubspot_calls,
        "hubspot_429s": _count(calls.get("rate_limited_by_endpoint") or {}, "hubspot "),
        "zoom_calls": _count(calls["by_endpoint"], "zoom "),
        "zoom_429s": _count(calls.get("rate_limited_by_endpoint") or {}, "zoom "),
        "duplicated_records": _duplicated_records(hubspot),
        "state_ok": not state_errors,
        "state_errors": state_errors[:5],
        **runs,
        **triggers,
        **cpu,
    }
    if not args.json:
        for key, value in result.items():
            print(f"{key:>24}: {value}")
    print(json.dumps(result))
    ok = result["state_ok"] and not result["duplicated_records"] and not runs["runs_failed"]
    return 0 if ok else 1


# --- what it needs ----------------------------------------------------------------------------

def _refuse(message: str):
    print(f"sync_fleet: {message}", file=sys.stderr)
    raise SystemExit(2)


def _required_services() -> tuple[str, str]:
    """REDIS_URL and a PostgreSQL DATABASE_URL, both answering."""
    redis_url, database_url = os.environ.get("REDIS_URL", ""), os.environ.get("DATABASE_URL", "")
    need = ("it needs Redis and PostgreSQL, as a fleet of workers does: set REDIS_URL (e.g. "
            "redis://127.0.0.1:6379/0) and DATABASE_URL (e.g. "
            "postgres://postgres@127.0.0.1:5432/postgres; a fresh database is created on that "
            "server and dropped at the end).")
    if not redis_url or not database_url:
        _refuse(f"{'REDIS_URL' if not redis_url else 'DATABASE_URL'} is not set; {need}")
    if urlsplit(database_url).scheme not in ("postgres", "postgresql", "pgsql"):
        _refuse(f"DATABASE_URL is not PostgreSQL; {need}")
    import psycopg
    import redis

    try:
        redis.Redis.from_url(redis_url, socket_connect_timeout=5).ping()
    except redis.RedisError as exc:
        _refuse(f"Redis at {_shown(redis_url)} did not answer ({exc}).")
    try:
        psycopg.connect(_libpq(database_url), connect_timeout=5).close()
    except psycopg.Error as exc:
        _refuse(f"PostgreSQL at {_shown(database_url)} did not answer ({exc}).")
    return redis_url, database_url


def _shown(url: str) -> str:
    """The URL without its password."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    user = f"{parts.username}@" if parts.username else ""
    return urlunsplit((parts.scheme, user + host, parts.path, "", ""))


def _libpq(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(("postgresql", parts.netloc, parts.path, parts.query, ""))


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, ""))


def _database_create(server_url: str, name: str) -> str:
    import psycopg

    with psycopg.connect(_libpq(server_url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    log(f"fresh database {name}")
    return _with_database(server_url, name)


def _database_drop(server_url: str, name: str) -> None:
    import psycopg

    try:
        from django.db import connections

        connections.close_all()
    except Exception:  # Django was never set up: nothing to close
        pass
    with psycopg.connect(_libpq(server_url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _environment(sandbox_url: str, database_url: str, redis_url: str, args) -> dict:
    return {
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DEBUG": "false",  # DEBUG keeps every query in memory
        "LOG_LEVEL": "WARNING",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        # its own queue on that Redis: nothing else's tasks, and nothing left for others
        "Q_CLUSTER_NAME": f"fleet-{os.getpid()}",
        "Q_WORKERS": str(args.processes_per_worker),
        "HUBSPOT_RATE_LIMIT_PER_10S": str(args.hubspot_limit),
        "ZOOM_OAUTH_BASE_URL": f"{sandbox_url}/zoom",
        "ZOOM_API_BASE_URL": f"{sandbox_url}/zoom/v2",
        "HUBSPOT_API_BASE_URL": f"{sandbox_url}/hubspot",
    }


def _prepare_database() -> list[str]:
    """The linked product (benchmarks/linked_product.py), so only this script's triggers start
    syncs; returns the ids of the webinars discovered."""
    product_link_and_discover()
    from webinars.models import Webinar

    return list(Webinar.objects.order_by("zoom_id").values_list("zoom_id", flat=True))


# --- the fleet ----------------------------------------------------------------------------

def _workers_start(count: int, tmp: Path) -> list[subprocess.Popen]:
    from django_q.status import Stat

    workers = []
    for n in range(count):
        with (tmp / f"worker-{n}.log").open("wb") as out:
            workers.append(subprocess.Popen(
                [sys.executable, "manage.py", "qcluster"], cwd=ROOT, env=os.environ.copy(),
                stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=True))
    deadline = time.monotonic() + 60
    while len(Stat.get_all()) < count:
        if time.monotonic() > deadline or any(w.poll() is not None for w in workers):
            _workers_stop(workers)
            _check_workers_alive(workers, tmp)
            raise SystemExit("the workers did not start")
        time.sleep(0.2)
    log(f"{count} qcluster processes up")
    return workers


def _check_workers_alive(workers: list[subprocess.Popen], tmp: Path) -> None:
    for n, worker in enumerate(workers):
        if worker.poll() is not None:
            tail = (tmp / f"worker-{n}.log").read_text(errors="replace")[-2000:]
            raise SystemExit(f"worker {n} exited with {worker.returncode}:\n{tail}")


def _workers_stop(workers: list[subprocess.Popen]) -> None:
    for worker in workers:
        stop(worker)


def _trigger_all_and_wait(webinar_ids: list[str], *, timeout_s: float) -> dict:
    """Ticks every webinar's Sync box (each queues a run), presses Sync now once more on every
    third one as soon as the first runs are under way, and waits until no run is left."""
    from integrations.models import SyncRun
    from integrations.runs import ACTIVE
    from webinars.models import Webinar
    from webinars.services.runs import KIND_SYNC
    from webinars.services.triggers import webinar_sync_enqueue, webinar_sync_toggle

    webinars = list(Webinar.objects.filter(zoom_id__in=webinar_ids).order_by("zoom_id"))
    for webinar in webinars:
        webinar_sync_toggle(webinar=webinar, enabled=True, trigger="checkbox")
    runs = SyncRun.objects.filter(kind=KIND_SYNC)
    deadline = time.monotonic() + timeout_s
    while not runs.filter(status=SyncRun.Status.RUNNING).exists():
        if time.monotonic() > deadline:
            raise SystemExit("no run started: are the workers taking tasks?")
        time.sleep(0.05)
    again = [webinar_sync_enqueue(webinar=w, trigger="sync now")
             for w in webinars[::SECOND_TRIGGER_EVERY]]
    joined = Counter(run.status for run in again if run.joined)
    while runs.filter(status__in=ACTIVE).exists():
        if time.monotonic() > deadline:
            raise SystemExit(f"runs still unfinished after {timeout_s:.0f} s")
        time.sleep(0.25)
    return {"second_triggers": len(again),
            "second_triggers_joined": sum(joined.values()),
            "second_triggers_joined_running": joined.get(SyncRun.Status.RUNNING, 0)}


def _runs_summary(webinar_ids: list[str]) -> dict:
    from integrations.models import SyncRun
    from webinars.services.runs import KIND_SYNC

    runs = list(SyncRun.objects.filter(kind=KIND_SYNC).values("target_key", "status", "error"))
    failed = [r for r in runs if r["status"] != SyncRun.Status.SUCCEEDED]
    for run in failed[:5]:
        log(f"run of {run['target_key']} {run['status']}: {run['error'][:300]}")
    per_webinar = Counter(r["target_key"] for r in runs)
    return {"runs": len(runs), "runs_failed": len(failed),
            "max_runs_per_webinar": max(per_webinar.values(), default=0),
            "webinars_without_run": len(set(webinar_ids) - set(per_webinar))}


def _cpu_seconds(processes: list[subprocess.Popen]) -> float:
    """CPU time used so far by these processes and everything they started (each leads its
    own process group), from /proc; 0 where /proc is not available."""
    groups = {p.pid for p in processes}
    ticks = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) in groups:  # pgrp
            # utime, stime, and those of its children that have ended
            total += sum(int(value) for value in fields[11:15])
    return round(total / ticks, 1)


def _count(by_endpoint: dict, prefix: str) -> int:
    return sum(v for k, v in by_endpoint.items() if k.startswith(prefix))


def _duplicated_records(hubspot: dict) -> int:
    """Attendance records beyond one per (event, person, state)."""
    extra = 0
    for event in hubspot["marketing_events"]:
        pairs = Counter((a["email"], a["state"]) for a in event["attendance"])
        extra += sum(n - 1 for n in pairs.values())
    return extra


if __name__ == "__main__":
    sys.exit(main())
