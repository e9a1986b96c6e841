"""Zoom's history report (backfill), expired webinars of the demo seed, GET /users/{userId}."""

from datetime import date, datetime, timedelta
from urllib.parse import quote

import pytest

from sandbox.zoom.reports import add_months

W_PAST, W_OLD, W_OLDER = 81234567003, 81234567006, 81234567007
ROW_KEYS = {"meeting_uuid", "meeting_id", "type", "host_display_name", "host_email",
            "start_time", "end_time", "topic", "participants", "duration",
            "total_participant_minutes", "department", "group", "source", "unique_viewers",
            "max_concurrent_views", "create_time", "custom_fields", "tracking_fields",
            "feature_used"}


def enc(uuid: str) -> str:
    once = quote(uuid, safe="")
    return quote(once, safe="") if uuid.startswith("/") or "//" in uuid else once


def history(client, date_from, date_to, record=True, **params):
    return client.zoom("GET", "/report/history_meetings", record=record,
                       params={"from": str(date_from), "to": str(date_to), **params})


def all_rows(client, date_from, date_to, **params):
    rows, token, pages = [], "", 0
    while True:
        response = history(client, date_from, date_to, next_page_token=token, **params)
        assert response.status_code == 200, response.text
        body = response.json()
        assert set(body) == {"next_page_token", "page_size", "history_meetings"}
        rows += body["history_meetings"]
        pages += 1
        token = body["next_page_token"]
        if not token:
            return rows, pages


@pytest.fixture
def demo(frozen_client):
    """The demo seed on a sandbox whose clock stands still at noon: "today" is one day for
    the whole test."""
    frozen_client.seed("demo")
    return frozen_client


def sandbox_now(client) -> datetime:
    return datetime.fromisoformat(client.clock()["now"].replace("Z", "+00:00"))


def sandbox_today(client) -> date:
    return sandbox_now(client).date()


def test_expired_webinars_are_not_listed_but_still_readable(demo):
    client = demo
    for user in client.zoom("GET", "/users").json()["users"]:
        listed = client.zoom("GET", f"/users/{user['id']}/webinars").json()["webinars"]
        assert not {w["id"] for w in listed} & {W_OLD, W_OLDER}
    for wid, days in ((W_OLD, 60), (W_OLDER, 85)):
        detail = client.zoom("GET", f"/webinars/{wid}")
        assert detail.status_code == 200
        start = datetime.fromisoformat(detail.json()["start_time"].replace("Z", "+00:00"))
        assert timedelta(days=days) <= sandbox_now(client) - start < timedelta(days=days + 1)
        instances = client.zoom("GET", f"/past_webinars/{wid}/instances").json()["webinars"]
        assert len(instances) == 1
        uuid = instances[0]["uuid"]
        report = client.zoom("GET", f"/report/webinars/{enc(uuid)}")
        assert report.status_code == 200 and report.json()["participants_count"] >= 8
        participants = client.zoom("GET", f"/report/webinars/{enc(uuid)}/participants",
                                   params={"page_size": 300, "include_fields": "registrant_id"}
                                   ).json()["participants"]
        assert any(p["registrant_id"] for p in participants)
        registrants = client.zoom("GET", f"/webinars/{wid}/registrants").json()
        assert registrants["total_records"] >= 20


def test_history_report_lists_each_held_instance_once(demo):
    client = demo
    today = sandbox_today(client)
    seen, start = [], today - timedelta(days=100)
    while start <= today:
        end = min(add_months(start, 1), today)
        rows, pages = all_rows(client, start, end, meeting_type="webinar", page_size=2)
        assert pages >= (len(rows) + 1) // 2
        seen += rows
        start = end + timedelta(days=1)
    assert len(seen) == 6  # w3, w4, two sessions of w5, and the two expired ones
    assert len({r["meeting_uuid"] for r in seen}) == 6
    assert {r["meeting_id"] for r in seen} == {81234567003, 81234567004, 81234567005,
                                               W_OLD, W_OLDER}
    for row in seen:
        assert set(row) == ROW_KEYS
        assert row["type"] == "Webinar" and row["source"] == "Zoom"
        assert row["host_email"].endswith("@sandbox.example")
        assert row["duration"] > 0 and row["participants"] > 0
        assert row["total_participant_minutes"] > 0
    old = next(r for r in seen if r["meeting_id"] == W_OLD)
    assert old["topic"] == "Spring Launch Recap: Everything We Shipped"
    assert old["host_display_name"] == "Maya Chen"
    # meetings only: the sandbox has none
    assert all_rows(client, today - timedelta(days=30), today, meeting_type="meeting")[0] == []


def test_history_report_filters_by_start_or_end_date(demo):
    client = demo
    today = sandbox_today(client)
    rows, _ = all_rows(client, today - timedelta(days=30), today)
    row = rows[0]
    day = datetime.fromisoformat(row["start_time"].replace("Z", "+00:00")).date()
    by_start, _ = all_rows(client, day, day)
    assert row["meeting_uuid"] in {r["meeting_uuid"] for r in by_start}
    end_day = datetime.fromisoformat(row["end_time"].replace("Z", "+00:00")).date()
    by_end, _ = all_rows(client, end_day, end_day, date_type="end_time")
    assert row["meeting_uuid"] in {r["meeting_uuid"] for r in by_end}
    before, _ = all_rows(client, day - timedelta(days=1), day - timedelta(days=1))
    assert row["meeting_uuid"] not in {r["meeting_uuid"] for r in before}


def test_history_report_range_is_at_most_one_month(demo):
    client = demo
    assert history(client, "2024-01-31", "2024-02-29").status_code == 200
    assert history(client, "2024-01-15", "2024-02-15").status_code == 200
    response = history(client, "2024-01-15", "2024-02-16")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == 300 and body["message"].startswith("Invalid parameter: to.")
    assert "one month" in body["message"]
    assert history(client, "2024-02-10", "2024-02-01").status_code == 400
    assert history(client, "2024-02-30", "2024-03-01").json()["code"] == 300
    # off-spec on purpose (a required parameter missing, values outside the enums): not recorded
    response = client.zoom("GET", "/report/history_meetings", params={"to": "2024-01-01"},
                           record=False)
    assert response.status_code == 400
    assert response.json() == {"code": 300, "message": "Invalid parameter: from."}
    assert history(client, "2024-01-01", "2024-01-02", record=False,
                   date_type="created").status_code == 400
    assert history(client, "2024-01-01", "2024-01-02", record=False,
                   meeting_type="webinars").status_code == 400


def test_history_report_page_token_is_bound_to_its_query(demo):
    client = demo
    today = sandbox_today(client)
    first = history(client, today - timedelta(days=20), today, page_size=1).json()
    token = first["next_page_token"]
    assert token and len(first["history_meetings"]) == 1 and first["page_size"] == 1
    other = history(client, today - timedelta(days=21), today, page_size=1,
                    next_page_token=token)
    assert other.status_code == 400 and other.json()["code"] == 300


def test_get_user_by_id_email_or_me(demo):
    client = demo
    users = client.zoom("GET", "/users").json()["users"]
    me = client.zoom("GET", "/users/me")
    assert me.status_code == 200 and me.json()["id"] == users[0]["id"]
    data = me.json()
    assert data["email"] == "host@sandbox.example"
    assert data["account_id"] == client.creds["zoom"]["account_id"]
    assert client.zoom("GET", f"/users/{users[1]['id']}").json()["email"] == users[1]["email"]
    assert client.zoom("GET", f"/users/{users[1]['email']}").json()["id"] == users[1]["id"]
    missing = client.zoom("GET", "/users/nobody@example.com")
    assert missing.status_code == 404
    assert missing.json() == {"code": 1001, "message": "User does not exist: nobody@example.com."}
    assert client.zoom("GET", "/users/me/webinars").json()["total_records"] >= 1
