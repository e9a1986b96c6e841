"""A host updating and deleting webinars in the sandbox's Zoom (PATCH and DELETE
/webinars/{id}, as Zoom's spec has them), a session Zoom reports late, and HubSpot's cancel of
a marketing event."""

from urllib.parse import quote

from sandbox.seeds import HOST_EMAIL
from tests.hubspot_contract import EVENT_AS_COMPLETED
from tests.sandbox.test_sandbox_hubspot import ACCOUNT, ME, attend_input, create_event
from tests.sandbox.test_sandbox_zoom import W_PAST, W_RECURRING, W_UPCOMING


def test_patch_changes_the_webinar_and_answers_204(client):
    client.seed("demo")
    changed = client.zoom("PATCH", f"/webinars/{W_UPCOMING}", json={
        "topic": "Pipeline Masterclass (moved)", "start_time": "2031-03-05T23:00:00",
        "timezone": "America/New_York", "duration": 90, "settings": {"approval_type": 0}})
    assert changed.status_code == 204 and not changed.content
    w = client.zoom("GET", f"/webinars/{W_UPCOMING}").json()
    assert w["topic"] == "Pipeline Masterclass (moved)" and w["duration"] == 90
    # a start time without "Z" is local time in the webinar's time zone
    assert w["start_time"] == "2031-03-06T04:00:00Z" and w["timezone"] == "America/New_York"
    assert w["settings"]["approval_type"] == 0

    in_gmt = client.zoom("PATCH", f"/webinars/{W_UPCOMING}",
                         json={"start_time": "2031-04-01T15:00:00Z"})
    assert in_gmt.status_code == 204
    assert client.zoom("GET", f"/webinars/{W_UPCOMING}").json()["start_time"] == (
        "2031-04-01T15:00:00Z")


def test_patch_of_one_occurrence_moves_only_that_one(client):
    client.seed("demo")
    before = client.zoom("GET", f"/webinars/{W_RECURRING}").json()["occurrences"]
    target = before[-1]["occurrence_id"]
    moved = client.zoom("PATCH", f"/webinars/{W_RECURRING}", params={"occurrence_id": target},
                        json={"start_time": "2031-01-01T10:00:00Z", "duration": 15})
    assert moved.status_code == 204
    after = client.zoom("GET", f"/webinars/{W_RECURRING}",
                        params={"show_previous_occurrences": "true"}).json()
    by_id = {o["occurrence_id"]: o for o in after["occurrences"]}
    assert by_id[target]["start_time"] == "2031-01-01T10:00:00Z"
    assert by_id[target]["duration"] == 15
    assert after["start_time"] == client.zoom("GET", f"/webinars/{W_RECURRING}").json()[
        "start_time"]


def test_patch_refuses_what_zoom_refuses(client):
    client.seed("demo")
    for body, field in (({"topic": "x" * 201}, "topic"), ({"duration": "long"}, "duration"),
                        ({"start_time": "next tuesday"}, "start_time"),
                        ({"timezone": "Mars/Olympus"}, "timezone"), ({"type": 7}, "type")):
        # off Zoom's spec on purpose: kept out of the exchange record
        bad = client.zoom("PATCH", f"/webinars/{W_UPCOMING}", json=body, record=False)
        assert bad.status_code == 400, body
        assert bad.json()["code"] == 300 and bad.json()["errors"][0]["field"] == field
    unknown = client.zoom("PATCH", f"/webinars/{W_RECURRING}",
                          params={"occurrence_id": "123"}, json={"duration": 5})
    assert unknown.status_code == 400 and unknown.json()["code"] == 3000
    missing = client.zoom("PATCH", "/webinars/12345", json={"topic": "Nope"})
    assert missing.status_code == 404 and missing.json() == {
        "code": 3001, "message": "Webinar does not exist: 12345."}


def test_patch_counts_100_updates_a_day_per_host(client):
    client.seed("demo")
    for n in range(100):
        assert client.zoom("PATCH", f"/webinars/{W_UPCOMING}",
                           json={"agenda": f"v{n}"}).status_code == 204
    refused = client.zoom("PATCH", f"/webinars/{W_UPCOMING}", json={"agenda": "one more"})
    assert refused.status_code == 429
    assert refused.headers["X-RateLimit-Type"] == "Daily-limit"
    client.advance(86400)
    client._zoom_token = None  # a day later the token has expired too
    assert client.zoom("PATCH", f"/webinars/{W_UPCOMING}",
                       json={"agenda": "next day"}).status_code == 204


def test_a_deleted_webinar_is_gone_but_its_reports_stay(client):
    client.seed("demo")
    held = client.zoom("GET", f"/past_webinars/{W_PAST}/instances").json()["webinars"]
    assert held
    deleted = client.zoom("DELETE", f"/webinars/{W_PAST}",
                          params={"cancel_webinar_reminder": "true"})
    assert deleted.status_code == 204 and not deleted.content

    for path in (f"/webinars/{W_PAST}", f"/webinars/{W_PAST}/registrants"):
        gone = client.zoom("GET", path)
        assert gone.status_code == 404 and gone.json() == {
            "code": 3001, "message": f"Webinar does not exist: {W_PAST}."}
    hosted = client.zoom("GET", f"/users/{quote(HOST_EMAIL)}/webinars").json()["webinars"]
    assert W_PAST not in [w["id"] for w in hosted]
    assert client.zoom("DELETE", f"/webinars/{W_PAST}").status_code == 404

    # what was held is still in Zoom's reports
    assert client.zoom("GET", f"/past_webinars/{W_PAST}/instances").json()["webinars"] == held
    assert client.zoom("GET", f"/report/webinars/{W_PAST}").status_code == 200
    assert client.zoom("GET", f"/past_webinars/{W_PAST}/participants").json()["participants"]
    day = held[0]["start_time"][:10]
    history = client.zoom("GET", "/report/history_meetings",
                          params={"from": day, "to": day}).json()["history_meetings"]
    assert W_PAST in [row["meeting_id"] for row in history]
    assert client.state("zoom")["zoom"]["webinars"][2]["deleted_at"]


def test_deleting_one_occurrence_marks_it_deleted(client):
    client.seed("demo")
    occurrences = client.zoom("GET", f"/webinars/{W_RECURRING}").json()["occurrences"]
    target = occurrences[-1]["occurrence_id"]
    bad_flag = client.zoom("DELETE", f"/webinars/{W_RECURRING}",
                           params={"occurrence_id": target, "cancel_webinar_reminder": "yes"})
    assert bad_flag.status_code == 400 and bad_flag.json()["code"] == 300
    assert client.zoom("DELETE", f"/webinars/{W_RECURRING}",
                       params={"occurrence_id": target}).status_code == 204

    after = client.zoom("GET", f"/webinars/{W_RECURRING}",
                        params={"show_previous_occurrences": "true"}).json()
    status = {o["occurrence_id"]: o["status"] for o in after["occurrences"]}
    assert status[target] == "deleted"
    assert set(status.values()) == {"available", "deleted"}
    # the webinar itself stays; the occurrence cannot be deleted twice
    again = client.zoom("DELETE", f"/webinars/{W_RECURRING}", params={"occurrence_id": target})
    assert again.status_code == 400 and again.json() == {
        "code": 3000, "message": "Webinar occurrence does not exist."}


def test_a_session_zoom_reports_late_is_listed_from_then_on(client):
    client.seed("demo")
    assert client.zoom("GET", f"/past_webinars/{W_UPCOMING}/instances").json() == {
        "webinars": []}
    registrant = client.zoom("GET", f"/webinars/{W_UPCOMING}/registrants").json()[
        "registrants"][0]
    added = client.http.post(f"{client.url}/_sandbox/zoom/sessions", json={
        "webinar_id": W_UPCOMING, "uuid": "lateUUID==", "start_time": "2026-01-05T15:00:00Z",
        "end_time": "2026-01-05T16:00:00Z", "participants": [
            {"registrant_email": registrant["email"], "user_email": registrant["email"],
             "join_time": "2026-01-05T15:02:00Z", "leave_time": "2026-01-05T15:50:00Z"}]})
    assert added.status_code == 200, added.text
    assert client.zoom("GET", f"/past_webinars/{W_UPCOMING}/instances").json() == {
        "webinars": [{"uuid": "lateUUID==", "start_time": "2026-01-05T15:00:00Z"}]}
    [row] = client.zoom("GET", "/report/webinars/lateUUID==/participants",
                        params={"include_fields": "registrant_id"}).json()["participants"]
    assert row["registrant_id"] == registrant["id"] and row["duration"] == 48 * 60
    unknown = client.http.post(f"{client.url}/_sandbox/zoom/sessions",
                               json={"webinar_id": 1, "uuid": "x"})
    assert unknown.status_code == 404


def test_cancelling_a_marketing_event_keeps_its_records(client):
    assert create_event(client).status_code == 200
    recorded = client.hubspot("POST", f"{ME}/attendance/zoom-webinar-1/register/email-create",
                              params={"externalAccountId": ACCOUNT},
                              json={"inputs": [attend_input()]})
    assert recorded.status_code == 200, recorded.text
    cancelled = client.hubspot("POST", f"{ME}/events/zoom-webinar-1/cancel",
                               params={"externalAccountId": ACCOUNT})
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["eventCancelled"] is True
    # HubSpot's MarketingEventDefaultResponse (the event was given no description)
    assert set(cancelled.json()) == EVENT_AS_COMPLETED - {"eventDescription"}
    [event] = client.state("hubspot")["hubspot"]["marketing_events"]
    assert event["eventCancelled"] and len(event["attendance"]) == 1
    missing = client.hubspot("POST", f"{ME}/events/zoom-webinar-9/cancel",
                             params={"externalAccountId": ACCOUNT})
    assert missing.status_code == 404
    no_account = client.hubspot("POST", f"{ME}/events/zoom-webinar-1/cancel")
    assert no_account.status_code == 400
