"""The sandbox's Zoom meetings over real HTTP: scheduling, details, changes, deletion, the
participants of held sessions and the custom seed."""

from datetime import UTC, datetime, timedelta
from urllib.parse import quote

from sandbox.seeds import HOST_EMAIL

MEETING_ID = 85012345678
# a held session's UUID that Zoom wants double-encoded in a path
SESSION_UUID = "4444AAAiAAAAAiAiAiiAii//=="
OWNER_ID = "hostUser0000000000000a"

MEETING_KEYS = {"uuid", "id", "host_id", "host_email", "topic", "type", "status", "start_time",
                "duration", "timezone", "agenda", "created_at", "start_url", "join_url",
                "password", "h323_password", "pstn_password", "settings", "pre_schedule",
                "creation_source"}
PARTICIPANT_KEYS = {"id", "name", "user_id", "user_email", "join_time", "leave_time",
                    "duration", "failover", "status", "internal_user"}


def enc2(value: str) -> str:
    """Zoom's rule for UUIDs that start with "/" or contain "//": encode twice."""
    return quote(quote(value, safe=""), safe="")


def _iso(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def seed_held_meeting(client, participants: int = 45) -> None:
    start = datetime(2024, 3, 5, 15, 0, tzinfo=UTC)
    rows = [{"name": f"Person {n}", "user_email": f"person{n}@example.com",
             "join_time": _iso(start + timedelta(minutes=n % 10)),
             "leave_time": _iso(start + timedelta(minutes=40 + n % 10))}
            for n in range(participants)]
    client.seed("custom", users=[{"id": OWNER_ID, "email": HOST_EMAIL, "first_name": "Maya",
                                  "last_name": "Chen"}],
                meetings=[{"id": MEETING_ID, "topic": "Weekly sync", "host_email": HOST_EMAIL,
                           "start_time": _iso(start), "duration": 45,
                           "instances": [
                               {"uuid": "firstSessionUuid0000000==",
                                "start_time": _iso(start - timedelta(days=7)),
                                "end_time": _iso(start - timedelta(days=7, minutes=-30)),
                                "participants": rows[:2]},
                               {"uuid": SESSION_UUID, "start_time": _iso(start),
                                "end_time": _iso(start + timedelta(minutes=55)),
                                "participants": rows}]}])


def all_pages(client, ref: str) -> list[dict]:
    pages, token = [], ""
    while True:
        params = {"page_size": 30}
        if token:
            params["next_page_token"] = token
        response = client.zoom("GET", f"/past_meetings/{ref}/participants", params=params)
        assert response.status_code == 200, response.text
        pages.append(response.json())
        token = response.json()["next_page_token"]
        if not token:
            return pages


def test_a_meeting_is_created_read_changed_and_deleted(client):
    client.seed("custom", users=[{"id": OWNER_ID, "email": HOST_EMAIL}])
    created = client.zoom("POST", "/users/me/meetings", json={
        "topic": "Kick-off", "type": 2, "start_time": "2030-01-15T10:00:00Z", "duration": 30,
        "timezone": "Europe/Berlin", "agenda": "Plans", "settings": {"waiting_room": True}})
    assert created.status_code == 201, created.text
    meeting = created.json()
    assert set(meeting) == MEETING_KEYS
    assert isinstance(meeting["id"], int) and len(str(meeting["id"])) == 11
    assert meeting["host_id"] == OWNER_ID and meeting["host_email"] == HOST_EMAIL
    assert (meeting["topic"], meeting["type"], meeting["status"]) == ("Kick-off", 2, "waiting")
    assert meeting["start_time"] == "2030-01-15T10:00:00Z" and meeting["duration"] == 30
    assert meeting["timezone"] == "Europe/Berlin" and meeting["agenda"] == "Plans"
    assert meeting["password"] and meeting["join_url"].endswith(
        f"/zoom/j/{meeting['id']}?pwd={meeting['password']}")
    assert meeting["settings"]["waiting_room"] is True
    assert meeting["settings"]["host_video"] is False

    mid = meeting["id"]
    got = client.zoom("GET", f"/meetings/{mid}")
    assert got.status_code == 200 and got.json() == meeting
    assert client.http.get(meeting["join_url"], timeout=10).status_code == 200

    changed = client.zoom("PATCH", f"/meetings/{mid}", json={
        "topic": "Kick-off (moved)", "start_time": "2030-01-16T09:30:00Z", "duration": 50,
        "timezone": "UTC", "agenda": "New plans", "settings": {"mute_upon_entry": True}})
    assert changed.status_code == 204 and not changed.content
    after = client.zoom("GET", f"/meetings/{mid}").json()
    assert after["topic"] == "Kick-off (moved)" and after["start_time"] == "2030-01-16T09:30:00Z"
    assert (after["duration"], after["timezone"], after["agenda"]) == (50, "UTC", "New plans")
    assert after["settings"]["mute_upon_entry"] is True
    assert after["settings"]["waiting_room"] is True  # merged, not replaced

    deleted = client.zoom("DELETE", f"/meetings/{mid}")
    assert deleted.status_code == 204
    gone = client.zoom("GET", f"/meetings/{mid}")
    assert gone.status_code == 404
    assert gone.json() == {"code": 3001, "message": f"Meeting does not exist: {mid}."}
    assert client.zoom("PATCH", f"/meetings/{mid}", json={"topic": "x"}).status_code == 404
    assert client.zoom("DELETE", f"/meetings/{mid}").status_code == 404


def test_a_meeting_is_created_for_a_user_by_id_or_email_and_instant_needs_no_start(client):
    client.seed("custom", users=[{"id": OWNER_ID, "email": HOST_EMAIL},
                                 {"id": "otherUser000000000000b", "email": "b@sandbox.example"}])
    by_email = client.zoom("POST", "/users/b@sandbox.example/meetings",
                           json={"topic": "One", "start_time": "2030-02-01T08:00:00Z"})
    assert by_email.status_code == 201, by_email.text
    assert by_email.json()["host_id"] == "otherUser000000000000b"
    assert by_email.json()["type"] == 2 and by_email.json()["duration"] == 60
    instant = client.zoom("POST", f"/users/{OWNER_ID}/meetings", json={"topic": "Now",
                                                                        "type": 1})
    assert instant.status_code == 201, instant.text
    assert instant.json()["type"] == 1 and instant.json()["host_id"] == OWNER_ID


def test_a_scheduled_meeting_needs_a_valid_start_time(client):
    client.seed("custom", users=[{"id": OWNER_ID, "email": HOST_EMAIL}])
    missing = client.zoom("POST", "/users/me/meetings", json={"topic": "No start", "type": 2})
    assert missing.status_code == 400
    body = missing.json()
    assert (body["code"], body["message"]) == (300, "Validation Failed.")
    assert [e["field"] for e in body["errors"]] == ["start_time"]
    bad = client.zoom("POST", "/users/me/meetings",
                      json={"topic": "Bad start", "start_time": "next tuesday"})
    assert bad.status_code == 400 and bad.json()["code"] == 300
    assert bad.json()["errors"][0]["field"] == "start_time"
    assert client.state("zoom")["zoom"]["meetings"] == []


def test_a_meeting_for_an_unknown_user_is_refused(client):
    client.seed("custom", users=[{"id": OWNER_ID, "email": HOST_EMAIL}])
    response = client.zoom("POST", "/users/nobody@example.com/meetings",
                           json={"topic": "x", "start_time": "2030-01-01T00:00:00Z"})
    assert response.status_code == 404
    assert response.json() == {"code": 1001,
                               "message": "User does not exist: nobody@example.com."}
    unknown = client.zoom("GET", "/meetings/12345678901")
    assert unknown.status_code == 404
    assert unknown.json() == {"code": 3001, "message": "Meeting does not exist: 12345678901."}


def test_past_participants_are_paged_by_meeting_id_and_by_session_uuid(client):
    seed_held_meeting(client)
    for ref in (str(MEETING_ID), enc2(SESSION_UUID)):
        pages = all_pages(client, ref)
        assert len(pages) == 2
        assert [len(p["participants"]) for p in pages] == [30, 15]
        assert all(p["total_records"] == 45 and p["page_count"] == 2 and p["page_size"] == 30
                   for p in pages)
        rows = [r for p in pages for r in p["participants"]]
        assert all(set(r) == PARTICIPANT_KEYS for r in rows)
        assert len({r["user_email"] for r in rows}) == 45
        assert all(isinstance(r["duration"], int) and r["duration"] == 2400 for r in rows)
        assert all(r["status"] == "in_meeting" and r["id"] for r in rows)

    first = client.zoom("GET", "/past_meetings/firstSessionUuid0000000%3D%3D/participants")
    assert first.status_code == 200 and first.json()["total_records"] == 2

    # like Zoom, such a UUID only encoded once is not found
    once = client.zoom("GET", f"/past_meetings/{quote(SESSION_UUID, safe='')}/participants")
    assert once.status_code == 404 and once.json()["code"] == 3001


def test_a_meeting_never_held_has_no_past_participants(client):
    client.seed("custom", users=[{"id": OWNER_ID, "email": HOST_EMAIL}])
    mid = client.zoom("POST", "/users/me/meetings",
                      json={"topic": "Later", "start_time": "2030-01-01T00:00:00Z"}).json()["id"]
    response = client.zoom("GET", f"/past_meetings/{mid}/participants")
    assert response.status_code == 404
    assert response.json() == {"code": 3001, "message": f"Meeting does not exist: {mid}."}


def test_state_lists_the_seeded_meeting_with_its_sessions(client):
    seed_held_meeting(client, participants=3)
    meetings = client.state("zoom")["zoom"]["meetings"]
    assert len(meetings) == 1
    meeting = meetings[0]
    assert meeting["id"] == MEETING_ID and meeting["topic"] == "Weekly sync"
    assert meeting["host_id"] == OWNER_ID and meeting["duration"] == 45
    assert meeting["deleted_at"] is None
    assert [i["uuid"] for i in meeting["instances"]] == ["firstSessionUuid0000000==",
                                                         SESSION_UUID]
    rows = meeting["instances"][1]["participants"]
    assert [r["user_email"] for r in rows] == [f"person{n}@example.com" for n in range(3)]
    assert rows[0]["duration"] == 2400

    got = client.zoom("GET", f"/meetings/{MEETING_ID}").json()
    assert got["start_time"] == "2024-03-05T15:00:00Z" and got["host_email"] == HOST_EMAIL
