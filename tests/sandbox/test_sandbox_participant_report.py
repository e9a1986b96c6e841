"""Participant rows as Zoom's spec gives them: the past-webinar listing never carries a
registrant_id, the participant report does when asked (include_fields=registrant_id), both
show waiting-room time as rows of their own, and a restarted session is two uuids."""

from datetime import UTC, datetime, timedelta

from sandbox.zoom.routes import RATE_LIMIT_LABELS
from tests.sandbox.test_sandbox_zoom import W_PAST, list_all

# The report's participant fields (meetings-api: reportWebinarParticipants) the sandbox fills;
# customer_key (SDK joins) and bo_mtg_id (breakout rooms) do not occur in a webinar here.
REPORT_KEYS = {"id", "user_id", "participant_user_id", "name", "user_email", "join_time",
               "leave_time", "duration", "failover", "status"}
WEBINAR = 81234567890
START = datetime(2025, 3, 3, 15, 0, tzinfo=UTC)


def iso(minutes: float) -> str:
    return (START + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%SZ")


def report_rows(client, ref, **params):
    rows, _pages = list_all(client, f"/report/webinars/{ref}/participants", "participants",
                            page_size=300, **params)
    return rows


def seed(client, instances, registrants=()):
    client.seed("custom", webinars=[{
        "id": WEBINAR, "topic": "Pipeline Masterclass", "start_time": iso(0), "duration": 60,
        "registrants": [{"email": e, "first_name": "Someone"} for e in registrants],
        "instances": instances,
    }])


def test_registrant_ids_come_only_from_the_report_and_only_when_asked(client):
    client.seed("demo")
    past, _ = list_all(client, f"/past_webinars/{W_PAST}/participants", "participants",
                       page_size=300)
    plain = report_rows(client, W_PAST)
    asked = report_rows(client, W_PAST, include_fields="registrant_id")

    assert all("registrant_id" not in r for r in past + plain)
    assert all(set(r) == REPORT_KEYS for r in plain)
    assert all(set(r) == REPORT_KEYS | {"registrant_id"} for r in asked)
    # the same rows, one per join/leave cycle
    assert sorted((r["user_id"], r["join_time"]) for r in past) == sorted(
        (r["user_id"], r["join_time"]) for r in asked)

    registrants, _ = list_all(client, f"/webinars/{W_PAST}/registrants", "registrants",
                              page_size=300)
    dana_id = next(r["id"] for r in registrants if r["email"] == "dana.kim@contoso.example")
    dana = [r for r in asked if r["user_email"] == "dana.kim@contoso.example"]
    assert len(dana) == 3 and {r["registrant_id"] for r in dana} == {dana_id}
    guest = next(r for r in asked if r["name"] == "Call-in User 1")
    assert guest["registrant_id"] == "" and guest["participant_user_id"] == ""
    # the host is named by their Zoom user id (the report has no internal_user)
    users = client.zoom("GET", "/users").json()["users"]
    host = next(r for r in asked if r["name"] == "Maya Chen")
    assert host["participant_user_id"] == next(
        u["id"] for u in users if u["display_name"] == "Maya Chen")
    assert host["registrant_id"] == ""


def test_the_report_pages_and_refuses_what_it_does_not_know(client):
    client.seed("demo")
    first = client.zoom("GET", f"/report/webinars/{W_PAST}/participants",
                        params={"page_size": 5, "include_fields": "registrant_id"})
    body = first.json()
    assert body["page_size"] == 5 and len(body["participants"]) == 5
    assert body["total_records"] > 5 and body["next_page_token"]
    rows, pages = list_all(client, f"/report/webinars/{W_PAST}/participants", "participants",
                           page_size=5, include_fields="registrant_id")
    assert len(rows) == body["total_records"] and len(pages) == body["page_count"]

    # a page token belongs to its listing
    foreign = client.zoom("GET", f"/past_webinars/{W_PAST}/participants",
                          params={"next_page_token": body["next_page_token"]})
    assert foreign.status_code == 400 and foreign.json()["code"] == 300
    unknown = client.zoom("GET", f"/report/webinars/{W_PAST}/participants",
                          params={"include_fields": "phone"}, record=False)
    assert unknown.status_code == 400 and unknown.json()["code"] == 300
    missing = client.zoom("GET", "/report/webinars/999/participants")
    assert missing.status_code == 404 and missing.json()["code"] == 3001


def test_the_report_gives_an_address_only_when_it_fits_its_pattern(client):
    seed(client, registrants=["foo@"], instances=[{
        "uuid": "heldUUID==", "start_time": iso(0), "end_time": iso(60), "participants": [
            {"registrant_email": "foo@", "join_time": iso(0), "leave_time": iso(30)},
            {"user_email": "Walk.In@Prospect.Example", "name": "Walk-in",
             "join_time": iso(5), "leave_time": iso(50)}]}])
    past, _ = list_all(client, "/past_webinars/heldUUID==/participants", "participants")
    report = report_rows(client, "heldUUID==", include_fields="registrant_id")
    assert sorted(r["user_email"] for r in past) == ["Walk.In@Prospect.Example", "foo@"]
    by_name = {r["name"]: r for r in report}
    assert by_name["Walk-in"]["user_email"] == "Walk.In@Prospect.Example"
    assert by_name["Someone"]["user_email"] == "" and by_name["Someone"]["registrant_id"]


def test_a_user_of_the_account_who_joins_signed_in_is_named_by_their_zoom_user_id(client):
    colleague = {"id": "colleague-user-2", "email": "carl.colleague@acme.example",
                 "first_name": "Carl", "last_name": "Colleague"}
    client.seed("custom", users=[{"id": "host-user-1", "email": "host@acme.example"},
                                 colleague], webinars=[{
        "id": WEBINAR, "topic": "Pipeline Masterclass", "start_time": iso(0),
        "instances": [{"uuid": "heldUUID==", "start_time": iso(0), "end_time": iso(60),
                       "participants": [
                           {"signed_in_as": colleague["id"], "join_time": iso(0),
                            "leave_time": iso(20)},
                           {"signed_in_as": colleague["id"], "join_time": iso(25),
                            "leave_time": iso(50), "user_email": "Carl.Colleague@ACME.example"},
                           {"user_email": "walk.in@prospect.example", "name": "Walk-in",
                            "join_time": iso(5), "leave_time": iso(40)},
                           {"name": "Call-in User", "id": "", "join_time": iso(5),
                            "leave_time": iso(40)}]}]}])
    listed = client.zoom("GET", "/users").json()["users"]
    carl_id = next(u["id"] for u in listed if u["email"] == colleague["email"])
    report = report_rows(client, "heldUUID==", include_fields="registrant_id")
    past, _ = list_all(client, "/past_webinars/heldUUID==/participants", "participants")

    carl = [r for r in report if r["name"] == "Carl Colleague"]
    assert sorted(r["user_email"] for r in carl) == ["Carl.Colleague@ACME.example",
                                                     colleague["email"]]
    # the user id is in participant_user_id and the deprecated id, on every join; user_id
    # numbers the join
    assert {(r["participant_user_id"], r["id"]) for r in carl} == {(carl_id, carl_id)}
    assert len({r["user_id"] for r in carl}) == 2 and carl_id not in {r["user_id"] for r in carl}
    others = [r for r in report if r["name"] != "Carl Colleague"]
    assert carl_id not in {r["participant_user_id"] for r in others}
    call_in = next(r for r in report if r["name"] == "Call-in User")
    assert call_in["participant_user_id"] == "" and call_in["id"] == ""
    # the past-webinar listing flags the account's own users
    assert sorted((r["name"], r["internal_user"]) for r in past) == [
        ("Call-in User", False), ("Carl Colleague", True), ("Carl Colleague", True),
        ("Walk-in", False)]

    refused = client.http.post(f"{client.url}/_sandbox/seed", timeout=10, json={
        "scenario": "custom", "users": [colleague], "webinars": [{
            "id": WEBINAR, "start_time": iso(0), "instances": [{
                "uuid": "otherUUID==", "participants": [
                    {"user_id": colleague["id"], "join_time": iso(0),
                     "leave_time": iso(1)}]}]}]})
    assert refused.status_code == 400 and "signed_in_as" in refused.text
    refused = client.http.post(f"{client.url}/_sandbox/seed", timeout=10, json={
        "scenario": "custom", "users": [colleague], "webinars": [{
            "id": WEBINAR, "start_time": iso(0), "instances": [{
                "uuid": "otherUUID==", "participants": [
                    {"signed_in_as": "nobody", "join_time": iso(0),
                     "leave_time": iso(1)}]}]}]})
    assert refused.status_code == 400 and "not one of the users" in refused.text


def test_waiting_room_time_is_a_row_of_its_own(client):
    seed(client, registrants=["alice@customer.example", "bob@customer.example"], instances=[{
        "uuid": "heldUUID==", "start_time": iso(0), "end_time": iso(60), "participants": [
            # Alice waits ten minutes and is admitted; Bob is never admitted
            {"registrant_email": "alice@customer.example", "status": "in_waiting_room",
             "join_time": iso(0), "leave_time": iso(10)},
            {"registrant_email": "alice@customer.example", "join_time": iso(10),
             "leave_time": iso(40)},
            {"registrant_email": "bob@customer.example", "status": "in_waiting_room",
             "join_time": iso(2), "leave_time": iso(17)}]}])
    past, _ = list_all(client, "/past_webinars/heldUUID==/participants", "participants")
    report = report_rows(client, "heldUUID==", include_fields="registrant_id")
    for rows in (past, report):
        assert sorted((r["user_email"], r["status"], r["duration"]) for r in rows) == [
            ("alice@customer.example", "in_meeting", 1800),
            ("alice@customer.example", "in_waiting_room", 600),
            ("bob@customer.example", "in_waiting_room", 900)]
    history = client.zoom("GET", "/report/history_meetings", params={
        "from": "2025-03-01", "to": "2025-03-31", "type": "past"}).json()["history_meetings"]
    assert history[0]["feature_used"]["waiting_room"] is True
    assert history[0]["unique_viewers"] == 1  # waiting is not viewing

    refused = client.http.post(f"{client.url}/_sandbox/seed", timeout=10, json={
        "scenario": "custom", "webinars": [{
            "id": 81234567891, "start_time": iso(0), "instances": [{
                "uuid": "otherUUID==", "participants": [
                    {"user_email": "x@y.example", "status": "in_lobby", "join_time": iso(0),
                     "leave_time": iso(1)}]}]}]})
    assert refused.status_code == 400 and "in_waiting_room" in refused.text


def test_a_restarted_session_is_two_uuids_each_with_its_rows(client):
    seed(client, registrants=["alice@customer.example"], instances=[
        {"uuid": "firstUUID==", "start_time": iso(0), "end_time": iso(20), "participants": [
            {"registrant_email": "alice@customer.example", "join_time": iso(1),
             "leave_time": iso(20)}]},
        {"uuid": "againUUID==", "start_time": iso(22), "end_time": iso(60), "participants": [
            {"registrant_email": "alice@customer.example", "join_time": iso(23),
             "leave_time": iso(55)}]}])
    held = client.zoom("GET", f"/past_webinars/{WEBINAR}/instances").json()["webinars"]
    assert [i["uuid"] for i in held] == ["firstUUID==", "againUUID=="]
    for uuid, minutes in (("firstUUID==", 19), ("againUUID==", 32)):
        rows = report_rows(client, uuid, include_fields="registrant_id")
        assert [r["duration"] for r in rows] == [minutes * 60]
        assert client.zoom("GET", f"/report/webinars/{uuid}").json()["uuid"] == uuid


def test_the_participant_report_is_heavy_and_counts_against_the_daily_cap(frozen_client):
    client = frozen_client
    client.seed("demo")
    assert RATE_LIMIT_LABELS[("GET", "/report/webinars/{webinarId}/participants")] == "Heavy"
    client.limits(zoom_daily_heavy=2)
    assert client.zoom("GET", f"/report/webinars/{W_PAST}").status_code == 200
    page = client.zoom("GET", f"/report/webinars/{W_PAST}/participants")
    assert page.status_code == 200 and page.headers["X-RateLimit-Remaining"] == "0"
    refused = client.zoom("GET", f"/report/webinars/{W_PAST}/participants",
                          params={"include_fields": "registrant_id"})
    assert refused.status_code == 429
    assert refused.headers["X-RateLimit-Category"] == "Heavy"
    assert refused.headers["X-RateLimit-Type"] == "Daily-limit"
    # the past-webinar listing is Medium: not capped
    assert client.zoom("GET", f"/past_webinars/{W_PAST}/participants").status_code == 200
