"""Controls that play Zoom finishing a held session (/_sandbox/zoom/...): a report not ready
yet, participant durations still being computed — in both participant listings."""

from datetime import UTC, datetime, timedelta
from urllib.parse import quote

WEBINAR = 81234567890
UUID = "held/UUID+1=="  # contains "/" and "+": sent percent-encoded
ENCODED = quote(UUID, safe="")
START = datetime(2025, 3, 3, 15, 0, tzinfo=UTC)


def iso(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def seed_held_session(client):
    rows = [("alice@customer.example", 0, 40), ("bob@customer.example", 5, 30),
            ("alice@customer.example", 42, 55)]
    client.seed("custom", webinars=[{
        "id": WEBINAR, "topic": "Pipeline Masterclass", "start_time": iso(START),
        "duration": 60,
        "registrants": [{"email": "alice@customer.example", "first_name": "Alice"},
                        {"email": "bob@customer.example", "first_name": "Bob"}],
        "instances": [{"uuid": UUID, "start_time": iso(START),
                       "end_time": iso(START + timedelta(minutes=60)),
                       "participants": [
                           {"registrant_email": email,
                            "join_time": iso(START + timedelta(minutes=join)),
                            "leave_time": iso(START + timedelta(minutes=leave))}
                           for email, join, leave in rows]}],
    }])


def control(client, path, body):
    return client.http.post(f"{client.url}/_sandbox/zoom/{path}", json=body, timeout=10)


# The held session's participant rows: Zoom's past-webinar listing and the report's.
LISTINGS = ("/past_webinars/{}/participants", "/report/webinars/{}/participants")


def participants(client, ref=ENCODED, listing=LISTINGS[0]):
    return client.zoom("GET", listing.format(ref), params={"page_size": 300})


def test_a_report_not_ready_is_listed_but_answers_404(client):
    seed_held_session(client)
    held = control(client, "report", {"uuid": UUID, "ready": False})
    assert held.json() == {"uuid": UUID, "ready": False}

    instances = client.zoom("GET", f"/past_webinars/{WEBINAR}/instances").json()["webinars"]
    assert [i["uuid"] for i in instances] == [UUID]  # Zoom lists the session already
    for ref in (ENCODED, str(WEBINAR)):
        report = client.zoom("GET", f"/report/webinars/{ref}")
        assert report.status_code == 404
        assert report.json() == {"code": 3001,
                                 "message": f"Meeting {UUID if ref == ENCODED else ref} "
                                            "not found or has expired."}
        for listing in LISTINGS:
            rows = participants(client, ref, listing)
            assert rows.status_code == 404
            assert rows.json()["code"] == 3001

    assert control(client, "report", {"uuid": UUID, "ready": True}).status_code == 200
    assert client.zoom("GET", f"/report/webinars/{ENCODED}").json()["uuid"] == UUID
    for listing in LISTINGS:
        assert len(participants(client, listing=listing).json()["participants"]) == 3
    state = client.state("zoom")["zoom"]["webinars"][0]["instances"][0]
    assert state["report_ready"] and state["durations_computed"]


def test_durations_being_computed_then_finished(client):
    seed_held_session(client)
    computing = control(client, "participants", {"uuid": UUID, "durations_computed": False})
    assert computing.json() == {"uuid": UUID, "durations_computed": False, "participants": 3,
                                "rows_changed": 0}
    for listing in LISTINGS:
        rows = participants(client, listing=listing).json()["participants"]
        assert len(rows) == 3 and all(r["join_time"] for r in rows)
        assert all(r["leave_time"] == "" and r["duration"] == 0 for r in rows)
    report = client.zoom("GET", f"/report/webinars/{ENCODED}").json()
    assert report["total_minutes"] == 0 and report["participants_count"] == 2

    finished = control(client, "participants", {"uuid": UUID, "leave_minutes": {
        "Bob@Customer.example": 45}})
    assert finished.json()["durations_computed"] and finished.json()["rows_changed"] == 1
    for listing in LISTINGS:
        rows = participants(client, listing=listing).json()["participants"]
        bob = next(r for r in rows if r["user_email"] == "bob@customer.example")
        assert bob["leave_time"] == iso(START + timedelta(minutes=45))
        assert bob["duration"] == 40 * 60
        alice = [r["duration"] for r in rows if r["user_email"] == "alice@customer.example"]
        assert alice == [40 * 60, 13 * 60]  # untouched rows show their stored times again


def test_leave_times_can_be_set_while_still_hidden(client):
    seed_held_session(client)
    response = control(client, "participants", {
        "uuid": UUID, "durations_computed": False, "leave_minutes": {"bob@customer.example": 50}})
    assert response.json()["durations_computed"] is False
    assert all(r["duration"] == 0 for r in participants(client).json()["participants"])
    control(client, "participants", {"uuid": UUID, "durations_computed": True})
    bob = next(r for r in participants(client).json()["participants"]
               if r["user_email"] == "bob@customer.example")
    assert bob["duration"] == 45 * 60


def test_zoom_controls_refuse_bad_requests_and_change_nothing(client):
    seed_held_session(client)
    before = client.state("zoom")
    for path, body, status in (
            ("report", {"uuid": "nope==", "ready": False}, 404),
            ("report", {"uuid": UUID}, 400),
            ("report", {"uuid": UUID, "ready": "no"}, 400),
            ("report", {"ready": False}, 400),
            ("report", {"uuid": UUID, "ready": False, "extra": 1}, 400),
            ("participants", {"uuid": UUID}, 400),
            ("participants", {"uuid": UUID, "leave_minutes": {"carol@x.example": 10}}, 400),
            ("participants", {"uuid": UUID, "leave_minutes": {"bob@customer.example": -1}},
             400),
            ("participants", {"uuid": UUID, "leave_minutes": {"bob@customer.example": 2}}, 400),
            ("participants", {"uuid": UUID, "leave_minutes": {
                "alice@customer.example": 50, "carol@x.example": 10}}, 400),
            ("participants", {"uuid": UUID, "leave_minutes": []}, 400),
    ):
        response = control(client, path, body)
        assert response.status_code == status, (path, body, response.text)
        assert "error" in response.json()
    assert client.state("zoom") == before
