"""A webinar going live, end to end: the sandbox plays a session and POSTs its signed webhooks
to the product's own endpoint (a live server), which stores, processes and pushes them. What
HubSpot then holds must be what a full batch sync of the same webinar gives in a fresh
sandbox — with webhooks lost (after the reconcile), repeated or out of order."""

import time
from datetime import UTC, datetime, timedelta

import pytest
import requests

from integrations.models import SyncRun, WebhookDelivery
from tests.hubspot_state import end_state, repeated_records, start_over
from tests.sandbox.webhook_world import WEBINAR_ID, WORLD
from tests.scenarios import iso, sync_one
from webinars.services.sync import webinar_sync
from webinars.tasks import reconcile_webinar

pytestmark = pytest.mark.django_db(transaction=True)

UUID = "liveSession1=="
REGISTRATIONS = [{"email": "dee@sandbox.example", "first_name": "Dee", "last_name": "Dunn"}]
CANCELLATIONS = ["ann@sandbox.example"]
JOINS = [["ann@sandbox.example", 0, 30], ["bob@sandbox.example", 5, 60],
         ["ann@sandbox.example", 40, 55], ["guest@elsewhere.example", 10, 20],
         ["dee@sandbox.example", 2, 50]]
SETTLED = ("delivered", "dropped", "failed")
# The sandbox gives a registrant a new random join link in each world it seeds: the one thing
# two seeds of the same world never share.
JOIN_URL = "zoomsync_last_join_url"


def scheduled_now() -> dict:
    """The webhook tests' world, its webinar scheduled to start an hour ago (the instant live
    run's hour-long session has just ended)."""
    start = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(minutes=60)
    return {**WORLD, "webinars": [{**WORLD["webinars"][0], "start_time": iso(start)}]}


def comparable(state: dict) -> dict:
    """The end state without what legitimately differs: the join link (above) and the time of
    a cancel record — a webhook carries the moment Zoom sent the cancellation, while Zoom's API
    never says when a registration was cancelled, so a batch sync dates it at the
    registration."""
    events = {}
    for key, (details, records) in state["events"].items():
        undated = {}
        for (email, kind, joined, left, at), n in records:
            record = (email, kind, joined, left, None if kind == "cancel" else at)
            undated[record] = undated.get(record, 0) + n
        events[key] = (details, sorted(undated.items()))
    return {**state, "events": events,
            "contacts": {email: {k: v for k, v in props.items() if k != JOIN_URL}
                         for email, props in state["contacts"].items()}}


def cancel_times(sandbox) -> dict[str, int]:
    return {a["email"]: a["interactionDateTime"]
            for e in sandbox.state("hubspot")["hubspot"]["marketing_events"]
            for a in e["attendance"] if a["state"] == "cancel"}


def ms(iso_time: str) -> int:
    return int(datetime.fromisoformat(iso_time.replace("Z", "+00:00")).timestamp() * 1000)


def without_completion(state: dict) -> dict:
    return {**state, "events": {key: ({k: v for k, v in details.items()
                                       if k != "eventCompleted"}, records)
                                for key, (details, records) in state["events"].items()}}


@pytest.fixture
def product(live_server, sandbox, linked, settings):
    """The product, reachable by the sandbox, with the webinar synced once before it starts
    (its Sync box ticked); Zoom's deliveries are processed in the request that stores them."""
    settings.PUBLIC_BASE_URL = live_server.url
    account, _ = linked
    sandbox.seed("custom", **scheduled_now())
    webinar, _ = sync_one(account, WEBINAR_ID)
    requests.post(f"{sandbox.url}/_sandbox/webhooks", timeout=10, json={
        "zoom": f"{live_server.url}/webhooks/zoom/",
        "hubspot": f"{live_server.url}/webhooks/hubspot/"}).raise_for_status()
    return account, webinar


def go_live(sandbox, **switches) -> dict:
    answer = requests.post(f"{sandbox.url}/_sandbox/zoom/webinars/{WEBINAR_ID}/live", json={
        "uuid": UUID, "registrations": REGISTRATIONS, "cancellations": CANCELLATIONS,
        "joins": JOINS, "speed": "instant", "seed": 3, **switches}, timeout=30)
    assert answer.status_code == 200, answer.text
    summary = answer.json()
    sent = summary["events"] * (2 if switches.get("duplicate_rate") == 1 else 1)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        log = requests.get(f"{sandbox.url}/_sandbox/webhooks/log", timeout=10).json()[
            "deliveries"]
        if len(log) >= sent and all(e["state"] in SETTLED for e in log):
            break
        time.sleep(0.05)
    else:
        pytest.fail(f"webhooks still in flight: {log}")
    assert [e for e in log if e["state"] == "failed"] == []
    return summary


def batch_sync_of_the_same_world(sandbox, account) -> dict:
    """What full syncs give when Zoom's side is the world the live run left, in a fresh
    sandbox with nothing mirrored yet. The cancellations come after a first sync, as in the
    live run: a registration HubSpot never heard of is not sent only to be cancelled."""
    zoom = sandbox.state("zoom")["zoom"]
    start_over(sandbox)
    sandbox.seed("custom", **seed_of(zoom, uncancel=CANCELLATIONS))
    webinar, _ = sync_one(account, WEBINAR_ID)
    answer = sandbox.zoom("PUT", f"/webinars/{WEBINAR_ID}/registrants/status", json={
        "action": "cancel", "registrants": [{"email": e} for e in CANCELLATIONS]})
    assert answer.status_code == 204, answer.text
    assert webinar_sync(webinar=webinar, trigger="test").status == SyncRun.Status.SUCCEEDED
    return comparable(end_state(sandbox))


def seed_of(zoom: dict, *, uncancel=()) -> dict:
    """The `custom` seed of Zoom's side as the sandbox's state shows it, with the registrants
    named in `uncancel` approved."""
    webinar = next(w for w in zoom["webinars"] if w["id"] == WEBINAR_ID)
    by_id = {r["id"]: r["email"] for r in webinar["registrants"]}
    instances = [{"uuid": i["uuid"], "start_time": i["start_time"], "end_time": i["end_time"],
                  "participants": [
                      {"join_time": p["join_time"], "leave_time": p["leave_time"],
                       **({"registrant_email": by_id[p["registrant_id"]]}
                          if p["registrant_id"] in by_id
                          else {"user_email": p["user_email"], "name": p["name"]})}
                      for p in i["participants"]]}
                 for i in webinar["instances"]]
    base = {**WORLD["webinars"][0], "start_time": webinar["start_time"]}
    return {**WORLD, "webinars": [{
        **base, "instances": instances,
        "registrants": [{**{k: r[k] for k in ("email", "first_name", "last_name", "status",
                                              "create_time")},
                         **({"status": "approved"} if r["email"] in uncancel else {})}
                        for r in webinar["registrants"]],
    }]}


def deliveries() -> dict[str, list[str]]:
    """Status → the events stored with it."""
    out: dict[str, list[str]] = {}
    for status, event in WebhookDelivery.objects.filter(provider="zoom").values_list(
            "status", "event_type"):
        out.setdefault(status, []).append(event)
    return out


def attend_times_apart(state: dict) -> dict:
    """The state with the attend records' times left out (each record still counted)."""
    events = {}
    for key, (details, records) in state["events"].items():
        untimed = {}
        for (email, kind, joined, left, at), n in records:
            record = (email, kind) + ((None,) * 3 if kind == "attend" else (joined, left, at))
            untimed[record] = untimed.get(record, 0) + n
        events[key] = (details, sorted(untimed.items()))
    return {**state, "events": events}


def attend_times(state: dict) -> dict[str, tuple]:
    return {email: (joined, left) for _details, records in state["events"].values()
            for (email, kind, joined, left, _at), _n in records if kind == "attend"}


def assert_reaches_the_batch_state(sandbox, account, webinar, summary) -> None:
    """Before the reconcile, HubSpot has everything but the event's completion (left to the
    reconcile, which reads Zoom's final report); after it, exactly the batch sync's state."""
    before = comparable(end_state(sandbox))
    assert repeated_records(sandbox) == {}
    assert cancel_times(sandbox) == {e: ms(summary["start_time"]) for e in CANCELLATIONS}
    assert reconcile_webinar(webinar.pk) == SyncRun.Status.SUCCEEDED
    after = comparable(end_state(sandbox))
    assert repeated_records(sandbox) == {}
    batch = batch_sync_of_the_same_world(sandbox, account)
    assert after == batch
    assert without_completion(before) == without_completion(batch)


def test_a_live_session_reaches_hubspot_as_a_batch_sync_would(sandbox, product):
    account, webinar = product
    summary = go_live(sandbox)

    stored = deliveries()
    # webinar.started needs no handler: the session is mirrored from its joins and its end
    assert stored["ignored"] == ["webinar.started"]
    assert (len(stored["processed"]), set(stored)) == (summary["events"] - 1,
                                                       {"processed", "ignored"})
    assert_reaches_the_batch_state(sandbox, account, webinar, summary)


def test_webhooks_lost_on_the_way_are_made_good_by_the_reconcile(sandbox, product):
    """Each attendee's attend record goes to HubSpot when the session ends, with the times the
    webhooks gave, and HubSpot never amends one: someone whose join or leave was lost keeps
    that record. The reconcile puts everything else right — contacts and their roll-ups from
    Zoom's report, every other record — and sends nothing twice."""
    account, webinar = product
    summary = go_live(sandbox, drop_rate=0.1)
    lost = [e["event"] for e in requests.get(f"{sandbox.url}/_sandbox/webhooks/log",
                                             timeout=10).json()["deliveries"] if e["dropped"]]
    assert summary["dropped"] == len(lost) > 0

    assert reconcile_webinar(webinar.pk) == SyncRun.Status.SUCCEEDED
    after = comparable(end_state(sandbox))
    assert repeated_records(sandbox) == {}
    batch = batch_sync_of_the_same_world(sandbox, account)
    assert attend_times_apart(after) == attend_times_apart(batch)
    amended = {email for email, times in attend_times(after).items()
               if times != attend_times(batch)[email]}
    assert len(amended) <= sum(e.startswith("webinar.participant_") for e in lost)


def test_repeated_webhooks_change_nothing(sandbox, product):
    account, webinar = product
    summary = go_live(sandbox, duplicate_rate=1)

    stored = deliveries()
    assert len(stored["duplicate"]) == summary["events"]
    assert_reaches_the_batch_state(sandbox, account, webinar, summary)


def test_webhooks_out_of_order_end_in_the_batch_state_but_for_late_attend_times(
        sandbox, product):
    """Shuffled, a join or leave can arrive after the session's end, when its attendee's
    attend record is in HubSpot already (never amended): only such records may keep the times
    known at the end; the rest is the batch sync's state, nothing sent twice."""
    account, webinar = product
    go_live(sandbox, shuffle=True, duplicate_rate=1)

    assert set(deliveries()) <= {"processed", "ignored", "duplicate"}
    assert reconcile_webinar(webinar.pk) == SyncRun.Status.SUCCEEDED
    after = comparable(end_state(sandbox))
    assert repeated_records(sandbox) == {}
    batch = batch_sync_of_the_same_world(sandbox, account)
    assert attend_times_apart(after) == attend_times_apart(batch)
