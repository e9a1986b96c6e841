"""Benchmark: the first sync of one big webinar, then a second sync with nothing changed.

    python -m benchmarks.sync_webinar --registrants 10000 --attendees 7000 \\
        [--hubspot-limit 190] [--seed 1] [--rejoin-rate 0.2] [--json]

The sandbox (Zoom and HubSpot) runs in this process, seeded with one webinar of R registrants
(all new to HubSpot) and A attendees, some of whom rejoin (so P participant rows > A). The
syncs run in a child process, so the peak memory reported is the syncing process's alone.
The database is a temporary SQLite file, or DATABASE_URL when set (it must be an empty
scratch database: the script migrates it and refuses one that already holds webinars).

Progress goes to stderr; the last line of stdout is one JSON object:

- zoom_calls, hubspot_calls: API calls of the first sync, as the sandbox counted them;
- lower_bound_calls = ceil(R/300) + ceil(P/300) + 3·ceil(R/100) + ceil((R−D)/100)
  + ceil(A/100) + 2 (registrant and participant pages; contacts read, looked up as secondary
  e-mails — "match secondary e-mails" is on by default — and upserted; register
  records of all but the D denied; attend records; event upsert and complete),
  call_ratio = (zoom_calls + hubspot_calls) / lower_bound_calls,
  fixed_calls = calls that do not grow with the webinar (token, webinar details, its
  panelists, the pending and denied registrant lists, held sessions, the session report, our
  contact properties),
  call_ratio_excluding_fixed = the same ratio with up to 11 of those left out;
- resync_hubspot_writes: HubSpot writes of the second sync (everything but reads);
- db_queries (first sync) and queries_per_registrant;
- wall_s (first sync), peak_rss_mb (the child's ru_maxrss after both syncs);
- hubspot_429s; with --hubspot-limit: rate_limit_floor_s = 10·hubspot_calls/limit and
  floor_ratio = wall_s / rate_limit_floor_s;
- state_ok: every registrant (1 % of them denied in Zoom before the first sync) and attendee
  is in HubSpot with exactly the expected properties, registration, attendance and
  cancellation records and a completed event, all computed by benchmarks/expected_state.py
  from the sandbox's own state (not with the product's functions) — checked after the second
  sync and again after the fourth; state_errors lists a few misses;
- calls_by_endpoint and zoom_calls_by_category (Light, Medium, Heavy: Heavy calls also count
  against Zoom's daily cap) of the first sync, and the same (resync_…) of the second;
- incremental_hubspot_calls: HubSpot calls of a third sync after 10 new registrations;
- cancel_hubspot_calls: HubSpot calls of a fourth sync after 5 registrations were cancelled.

A sync that fails, or a state that differs from the expected one, makes the script exit 1.
"""

import argparse
import json
import math
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

from benchmarks.expected_state import check_state, zoom_token
from integrations.batching import chunks

ROOT = Path(__file__).resolve().parents[1]
DENIED_SHARE = 0.01  # registrants a host denies before the first sync
CANCELLATIONS = 5  # registrations cancelled before the fourth sync
# Endpoints whose calls grow with the webinar; the lower bound counts exactly these.
SCALING = (
    "zoom GET /v2/webinars/{webinarId}/registrants",
    "zoom GET /v2/report/webinars/{webinarId}/participants",
    "hubspot POST /crm/v3/objects/contacts/batch/read",
    "hubspot POST /crm/v3/objects/contacts/batch/upsert",
    "hubspot POST /crm/v3/objects/contacts/search",
    "hubspot POST /marketing/v3/marketing-events/attendance/{externalEventId}/"
    "{subscriberState}/email-create",
    "hubspot POST /marketing/v3/marketing-events/events/upsert",
    "hubspot POST /marketing/v3/marketing-events/events/{externalEventId}/complete",
)
FIXED_ALLOWANCE = 11


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


# --- the parent: sandbox, database, checks ------------------------------------------------

def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.sync_webinar")
    parser.add_argument("--registrants", type=int, default=10_000)
    parser.add_argument("--attendees", type=int, default=7_000)
    parser.add_argument("--hubspot-limit", type=int, default=None,
                        help="HubSpot requests per 10 s, for the sandbox and the client.")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rejoin-rate", type=float, default=0.2)
    parser.add_argument("--json", action="store_true", help="Only the JSON line on stdout.")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child_main(json.loads(args.child))

    from sandbox import SandboxServer

    R, A = args.registrants, args.attendees
    tmp = tempfile.TemporaryDirectory(prefix="bench-sync-")
    sandbox = SandboxServer().start()
    try:
        log(f"sandbox at {sandbox.url}; seeding 1 webinar, {R} registrants, {A} attendees")
        seeded = _post(sandbox.url, "seed", {
            "scenario": "bench", "webinars": 1, "registrants": R, "attendees": A,
            "seed": args.seed, "rejoin_rate": args.rejoin_rate})
        P = seeded["participants"]
        if args.hubspot_limit:
            response = requests.post(f"{sandbox.url}/_sandbox/limits",
                                     json={"hubspot_per_10s": args.hubspot_limit}, timeout=30)
            if response.status_code != 200:
                log(f"the sandbox did not take the HubSpot limit ({response.status_code}); "
                    "running without it")
        env = _environment(sandbox.url, tmp.name)
        os.environ.update(env)
        webinar_id = _prepare_database()
        denied = max(1, round(R * DENIED_SHARE))
        _zoom_status(sandbox.url, webinar_id, "deny", denied)
        _post(sandbox.url, "calls/reset")  # linking and discovery are not part of the sync

        log("first and second sync in a child process")
        config = {"url": sandbox.url, "webinar": webinar_id, "limit": args.hubspot_limit}
        child = subprocess.run(
            [sys.executable, "-m", "benchmarks.sync_webinar", "--child", json.dumps(config)],
            cwd=ROOT, env={**os.environ, **env}, stdout=subprocess.PIPE, text=True)
        if child.returncode != 0:
            log(f"the child failed with exit code {child.returncode}")
            return child.returncode
        measured = json.loads(child.stdout.strip().splitlines()[-1])

        log("checking HubSpot's state against the sandbox's Zoom data")
        state_errors = check_state(sandbox.url, webinar_id)
        log("third sync after 10 new registrations")
        incremental, failed = _incremental(sandbox.url, webinar_id)
        log(f"fourth sync after {CANCELLATIONS} cancellations")
        cancelled, failed_too = _cancellations(sandbox.url, webinar_id)
        state_errors += [*failed, *failed_too] + [
            f"after the fourth sync: {e}" for e in check_state(sandbox.url, webinar_id)]
    finally:
        sandbox.stop()
        tmp.cleanup()

    calls1 = measured["calls_first"]
    zoom_calls = sum(v for k, v in calls1.items() if k.startswith("zoom "))
    hubspot_calls = sum(v for k, v in calls1.items() if k.startswith("hubspot "))
    lower = (math.ceil(R / 300) + math.ceil(P / 300) + 3 * math.ceil(R / 100)
             + math.ceil((R - denied) / 100) + math.ceil(A / 100) + 2)
    registrant_pages = calls1.get(SCALING[0], 0)
    fixed = (sum(v for k, v in calls1.items() if k not in SCALING)
             + max(0, registrant_pages - math.ceil(R / 300)))
    total_calls = zoom_calls + hubspot_calls
    result = {
        "registrants": R,
        "denied": denied,
        "attendees": A,
        "participant_rows": P,
        "zoom_calls": zoom_calls,
        "hubspot_calls": hubspot_calls,
        "lower_bound_calls": lower,
        "call_ratio": round(total_calls / lower, 4),
        "fixed_calls": fixed,
        "call_ratio_excluding_fixed": round(
            (total_calls - min(fixed, FIXED_ALLOWANCE)) / lower, 4),
        "resync_hubspot_writes": _writes(measured["calls_second"]),
        "resync_hubspot_calls": sum(v for k, v in measured["calls_second"].items()
                                    if k.startswith("hubspot ")),
        "db_queries": measured["db_queries"],
        "queries_per_registrant": round(measured["db_queries"] / R, 4),
        "resync_db_queries": measured["resync_db_queries"],
        "wall_s": measured["wall_s"],
        "resync_wall_s": measured["resync_wall_s"],
        "peak_rss_mb": measured["peak_rss_mb"],
        "hubspot_429s": measured["hubspot_429s"],
        "zoom_429s": measured["zoom_429s"],
        "hubspot_limit": args.hubspot_limit,
        "rate_limit_floor_s": None,
        "floor_ratio": None,
        "state_ok": not state_errors,
        "state_errors": state_errors[:5],
        "incremental_hubspot_calls": incremental,
        "cancel_hubspot_calls": cancelled,
        "calls_by_endpoint": calls1,
        "zoom_calls_by_category": _zoom_categories(calls1),
        "resync_calls_by_endpoint": measured["calls_second"],
        "resync_zoom_calls_by_category": _zoom_categories(measured["calls_second"]),
    }
    if args.hubspot_limit:
        floor = 10 * hubspot_calls / args.hubspot_limit
        result["rate_limit_floor_s"] = round(floor, 2)
        result["floor_ratio"] = round(measured["wall_s"] / floor, 4) if floor else None
    if not args.json:
        for key, value in result.items():
            if key not in ("calls_by_endpoint", "resync_calls_by_endpoint"):
                print(f"{key:>28}: {value}")
    print(json.dumps(result))
    return 1 if state_errors else 0


def _zoom_categories(calls: dict) -> dict[str, int]:
    """Zoom calls per rate-limit category (Light, Medium, Heavy…): Heavy ones also count
    against Zoom's daily cap."""
    from sandbox.zoom.routes import rate_limit_category

    found: dict[str, int] = {}
    for key, count in calls.items():
        service, method, template = key.split(" ", 2)
        if service == "zoom" and template.startswith("/v2/"):
            category = rate_limit_category(method, template)
            found[category] = found.get(category, 0) + count
    return dict(sorted(found.items()))


def _post(url: str, path: str, body: dict | None = None) -> dict:
    response = requests.post(f"{url}/_sandbox/{path}", json=body or {}, timeout=600)
    response.raise_for_status()
    return response.json() if response.content else {}


def _environment(sandbox_url: str, tmpdir: str) -> dict:
    env = {
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DEBUG": "false",  # DEBUG keeps every query in memory
        "LOG_LEVEL": "WARNING",
        "ZOOM_OAUTH_BASE_URL": f"{sandbox_url}/zoom",
        "ZOOM_API_BASE_URL": f"{sandbox_url}/zoom/v2",
        "HUBSPOT_API_BASE_URL": f"{sandbox_url}/hubspot",
    }
    if not os.environ.get("DATABASE_URL"):
        env["DATABASE_URL"] = f"sqlite:///{Path(tmpdir) / 'bench.sqlite3'}"
    return env


def _prepare_database() -> str:
    """Migrates, links the sandbox's accounts, discovers the webinar and ticks its Sync box."""
    import django

    django.setup()
    from django.core.management import call_command

    from integrations.services.accounts import (
        hubspot_portal_connect_private_app,
        zoom_account_connect_s2s,
    )
    from webinars.models import Webinar
    from webinars.services.discovery import webinars_discover

    call_command("migrate", verbosity=0)
    if Webinar.objects.exists():
        raise SystemExit("DATABASE_URL holds webinars already: point it at an empty database.")
    creds = requests.get(f"{os.environ['HUBSPOT_API_BASE_URL'].rsplit('/hubspot', 1)[0]}"
                         "/_sandbox/credentials", timeout=30).json()
    hubspot_portal_connect_private_app(token=creds["hubspot"]["token"],
                                       portal_id=creds["hubspot"]["portal_id"])
    account = zoom_account_connect_s2s(
        account_id=creds["zoom"]["account_id"], client_id=creds["zoom"]["client_id"],
        client_secret=creds["zoom"]["client_secret"], name="Benchmark Zoom")
    webinars_discover(account=account)
    webinar = Webinar.objects.get()
    webinar.sync_enabled = True
    webinar.save(update_fields=["sync_enabled"])
    return webinar.zoom_id


def _writes(calls: dict) -> int:
    return sum(v for k, v in calls.items() if k.startswith("hubspot ")
               and not k.startswith("hubspot GET") and "/batch/read" not in k)


def _sync_again(url: str, zoom_id: str, label: str) -> tuple[int, list[str]]:
    """Syncs the webinar; returns its HubSpot calls and, if it failed, why."""
    from webinars.models import Webinar
    from webinars.services.sync import webinar_sync

    _post(url, "calls/reset")
    run = webinar_sync(webinar=Webinar.objects.get(zoom_id=zoom_id), trigger="benchmark")
    calls = requests.get(f"{url}/_sandbox/calls", timeout=30).json()["by_endpoint"]
    failed = [] if run.status == "succeeded" else [f"the {label} sync failed: {run.error}"]
    return sum(v for k, v in calls.items() if k.startswith("hubspot ")), failed


def _incremental(url: str, zoom_id: str) -> tuple[int, list[str]]:
    """Ten people register; the next sync should cost HubSpot a handful of calls."""
    token = zoom_token(url)
    for n in range(10):
        response = requests.post(
            f"{url}/zoom/v2/webinars/{zoom_id}/registrants",
            headers={"Authorization": f"Bearer {token}"}, timeout=30,
            json={"email": f"late{n}@bench.example", "first_name": "Late", "last_name": str(n)})
        response.raise_for_status()
    return _sync_again(url, zoom_id, "third")


def _cancellations(url: str, zoom_id: str) -> tuple[int, list[str]]:
    """A few registrants cancel (through Zoom's API, as a host would) before a fourth sync."""
    _zoom_status(url, zoom_id, "cancel", CANCELLATIONS, skip=10)
    return _sync_again(url, zoom_id, "fourth")


def _zoom_status(url: str, zoom_id: str, action: str, count: int, skip: int = 0) -> None:
    """Approved registrants `skip`+1…`skip`+count get `action` (deny, cancel) in Zoom."""
    headers = {"Authorization": f"Bearer {zoom_token(url)}"}
    listing = requests.get(f"{url}/zoom/v2/webinars/{zoom_id}/registrants", headers=headers,
                           params={"status": "approved", "page_size": 300}, timeout=60)
    listing.raise_for_status()
    ids = [r["id"] for r in listing.json()["registrants"]][skip:skip + count]
    for part in chunks(ids, 30):  # Zoom takes 30 per call
        response = requests.put(
            f"{url}/zoom/v2/webinars/{zoom_id}/registrants/status", headers=headers,
            timeout=60, json={"action": action, "registrants": [{"id": i} for i in part]})
        response.raise_for_status()


def _rate_limited(calls: dict, service: str) -> int:
    by_endpoint = calls.get("rate_limited_by_endpoint")
    if by_endpoint is None:  # a sandbox that only counts them all together
        return calls.get("rate_limited", 0) if service == "hubspot " else 0
    return sum(v for k, v in by_endpoint.items() if k.startswith(service))


# --- the child: the two syncs, measured ------------------------------------------------------

def child_main(config: dict) -> int:
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import override_settings
    from tqdm import tqdm

    from webinars.models import Webinar
    from webinars.services.sync import webinar_sync

    url = config["url"]
    queries = [0]

    def count(execute, sql, params, many, context):
        queries[0] += 1
        return execute(sql, params, many, context)

    def sync(label: str):
        webinar = Webinar.objects.get(zoom_id=config["webinar"])
        with tqdm(desc=label, unit="rec", file=sys.stderr) as bar:
            def on_progress(run):
                bar.total = run.total
                bar.set_postfix_str(run.counts.get("step", ""), refresh=False)
                bar.update(run.done - bar.n)

            queries[0] = 0
            started = time.perf_counter()
            with connection.execute_wrapper(count):
                run = webinar_sync(webinar=webinar, trigger="benchmark", on_progress=on_progress)
            wall = time.perf_counter() - started
        if run.status != "succeeded":
            raise SystemExit(f"{label} failed: {run.error}")
        calls = requests.get(f"{url}/_sandbox/calls", timeout=60).json()
        _post(url, "calls/reset")
        return wall, queries[0], calls

    # The HubSpot client paces itself by this setting; 0 (no --hubspot-limit) means no pacing,
    # so the unlimited run measures the sync, not the default limit of a free portal.
    with override_settings(HUBSPOT_RATE_LIMIT_PER_10S=config.get("limit") or 0):
        wall1, queries1, calls1 = sync("first sync")
        wall2, queries2, calls2 = sync("second sync")
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kB on Linux
    print(json.dumps({
        "wall_s": round(wall1, 2), "resync_wall_s": round(wall2, 2),
        "db_queries": queries1, "resync_db_queries": queries2,
        "calls_first": calls1["by_endpoint"], "calls_second": calls2["by_endpoint"],
        "hubspot_429s": _rate_limited(calls1, "hubspot "),
        "zoom_429s": _rate_limited(calls1, "zoom "),
        "peak_rss_mb": round(peak_kb / 1024, 1),
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
