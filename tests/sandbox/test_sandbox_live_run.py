"""A live run (``POST /_sandbox/zoom/webinars/{id}/live``): the held session is in the API at
once, and its webhooks reach the receiver with the switches doing what they say."""

import time

import pytest

from tests.sandbox.webhook_world import WEBINAR_ID, WORLD, assert_zoom_shape, log, receiver_for

JOINS = [["ann@sandbox.example", 0, 30], ["bob@sandbox.example", 5, 60],
         ["ann@sandbox.example", 40, 55], ["guest@elsewhere.example", 10, 20]]
# started + 4 joins + 4 leaves + ended, and the registration and cancellation before them
EVENTS = 12


@pytest.fixture
def receiver(client):
    client.seed("custom", **WORLD)
    r = receiver_for(client)
    yield r
    r.close()


def live(client, **body):
    answer = client.http.post(f"{client.url}/_sandbox/zoom/webinars/{WEBINAR_ID}/live",
                              json=body, timeout=10)
    assert answer.status_code == 200, answer.text
    return answer.json()


def run(client, **switches):
    return live(client, uuid="liveRun==", registrations=[
        {"email": "dee@sandbox.example", "first_name": "Dee", "last_name": "Dunn"}],
        cancellations=["ann@sandbox.example"], joins=JOINS, seed=7, **switches)


def wait_settled(client, count: int, timeout: float = 10.0) -> list[dict]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        entries = log(client)
        if len(entries) >= count and all(e["state"] in ("delivered", "dropped", "failed")
                                         for e in entries):
            return entries
        time.sleep(0.02)
    return log(client)


def report_emails(client) -> list[str]:
    rows = client.zoom("GET", "/report/webinars/liveRun==/participants").json()
    return sorted(p["user_email"] for p in rows["participants"])


def test_an_instant_run_sends_the_session_in_order(client, receiver):
    summary = run(client, speed="instant")
    assert (summary["uuid"], summary["events"], summary["dropped"]) == ("liveRun==", EVENTS, 0)
    got = [g["json"] for g in receiver.wait_for(EVENTS)]
    assert len(got) == EVENTS
    assert all(g["zoom_valid"] for g in receiver.events())
    names = [g["event"] for g in got]
    assert names[:3] == ["webinar.registration_created", "webinar.registration_cancelled",
                         "webinar.started"] and names[-1] == "webinar.ended"
    assert names.count("webinar.participant_joined") == 4
    assert names.count("webinar.participant_left") == 4
    assert [g["event_ts"] for g in got] == sorted(g["event_ts"] for g in got)
    for body in got:
        assert_zoom_shape(body)
    ended = got[-1]["payload"]["object"]
    assert (ended["uuid"], ended["end_time"]) == ("liveRun==", summary["end_time"])
    # the events name the rows the API reports
    rows = client.zoom("GET", "/report/webinars/liveRun==/participants",
                       params={"include_fields": "registrant_id"}).json()["participants"]
    joined = [g["payload"]["object"]["participant"] for g in got
              if g["event"] == "webinar.participant_joined"]
    assert sorted((p["email"], p["join_time"]) for p in joined) == sorted(
        (r["user_email"], r["join_time"]) for r in rows)
    bob = next(p for p in joined if p["email"] == "bob@sandbox.example")
    assert bob["registrant_id"] == next(r["registrant_id"] for r in rows
                                        if r["user_email"] == "bob@sandbox.example")
    zoom = client.state("zoom")["zoom"]["webinars"][0]
    statuses = {r["email"]: r["status"] for r in zoom["registrants"]}
    assert statuses["ann@sandbox.example"] == "cancelled"
    assert statuses["dee@sandbox.example"] == "pending"  # the webinar needs approval


def test_drop_rate_1_sends_nothing_but_the_report_has_everyone(client, receiver):
    summary = run(client, speed="instant", drop_rate=1)
    assert summary["dropped"] == EVENTS
    entries = wait_settled(client, EVENTS)
    assert [e["state"] for e in entries] == ["dropped"] * EVENTS
    assert all(e["dropped"] and e["attempts"] == 0 for e in entries)
    time.sleep(0.2)
    assert receiver.events() == []
    assert report_emails(client) == sorted(j[0] for j in JOINS)
    instances = client.zoom("GET", f"/past_webinars/{WEBINAR_ID}/instances").json()
    assert {"uuid": "liveRun==", "start_time": summary["start_time"]} in instances["webinars"]


def test_duplicate_rate_1_sends_each_event_twice(client, receiver):
    run(client, speed="instant", duplicate_rate=1)
    got = receiver.wait_for(2 * EVENTS)
    assert len(got) == 2 * EVENTS
    raws = [g["raw"] for g in got]
    assert raws[0::2] == raws[1::2]  # each one right after itself
    entries = wait_settled(client, 2 * EVENTS)
    assert [e["duplicated"] for e in entries] == [False, True] * EVENTS


def test_shuffle_sends_out_of_order(client, receiver):
    run(client, speed="instant", shuffle=True)
    got = [g["json"] for g in receiver.wait_for(EVENTS)]
    assert len(got) == EVENTS
    stamps = [g["event_ts"] for g in got]
    assert stamps != sorted(stamps)
    assert all(g["zoom_valid"] for g in receiver.events())


def test_a_timed_run_spreads_the_events_over_real_time(client, receiver):
    # 1200 simulated seconds per real second: the 60-minute session takes 3 s; with a delay
    began = time.monotonic()
    summary = live(client, joins=[["ann@sandbox.example", 0, 10],
                                  ["bob@sandbox.example", 20, 60]],
                   speed=1200, delay_ms=300)
    assert summary["real_duration_s"] == pytest.approx(3.3)
    first = receiver.wait_for(1)
    assert 0.25 <= time.monotonic() - began < 2
    assert first[0]["json"]["event"] == "webinar.started"
    got = receiver.wait_for(6, timeout=10)
    assert time.monotonic() - began >= 3.2
    assert [g["json"]["event"] for g in got][-1] == "webinar.ended"


def test_the_waiting_room_is_in_the_report_only(client, receiver):
    summary = live(client, uuid="liveRun==", joins=[["ann@sandbox.example", 5, 30]],
                   waiting_room=[["ann@sandbox.example", 0, 5]])
    assert summary["events"] == 4  # started, joined, left, ended
    assert [g["json"]["event"] for g in receiver.wait_for(4)] == [
        "webinar.started", "webinar.participant_joined", "webinar.participant_left",
        "webinar.ended"]
    statuses = [p["status"] for p in client.state("zoom")["zoom"]["webinars"][0][
        "instances"][0]["participants"]]
    assert statuses == ["in_waiting_room", "in_meeting"]


def test_a_reset_stops_a_run(client, receiver):
    live(client, joins=[["ann@sandbox.example", 0, 60]], speed=600)
    receiver.wait_for(1)
    client.http.post(f"{client.url}/_sandbox/reset")
    time.sleep(0.5)
    assert len(receiver.events()) <= 2 and log(client) == []


@pytest.mark.parametrize("body", [
    {"speed": 0}, {"speed": "fast"}, {"drop_rate": 2}, {"joins": [["a@x.example", 5, 1]]},
    {"joins": [["a@x.example", 1]]}, {"cancellations": ["nobody@x.example"]},
    {"registrations": [{"first_name": "No e-mail"}]}, {"colour": "blue"}, {"shuffle": "yes"},
])
def test_a_run_refuses_what_it_cannot_play(client, body):
    client.seed("custom", **WORLD)
    answer = client.http.post(f"{client.url}/_sandbox/zoom/webinars/{WEBINAR_ID}/live",
                              json=body, timeout=10)
    assert answer.status_code == 400, answer.text
    missing = client.http.post(f"{client.url}/_sandbox/zoom/webinars/1/live", json={})
    assert missing.status_code == 404
