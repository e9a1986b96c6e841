"""The sandbox's Zoom side over real HTTP: OAuth, pagination, registrants, past webinars."""

from urllib.parse import quote

from sandbox.seeds import HOST2_EMAIL, HOST_EMAIL

W_UPCOMING, W_UPCOMING2, W_PAST, W_PAST2, W_RECURRING = (
    81234567001, 81234567002, 81234567003, 81234567004, 81234567005)
W_SIGNUP = 81234567008  # upcoming, its form requires org and a custom answer

REGISTRANT_KEYS = ["id", "first_name", "last_name", "email", "address", "city", "country", "zip",
                   "state", "phone", "industry", "org", "job_title", "purchasing_time_frame",
                   "role_in_purchase_process", "no_of_employees", "comments", "custom_questions",
                   "status", "create_time", "join_url"]
# Zoom documents registrant_id on these rows only with include_fields=registrant_id, which
# this listing does not take (the participant report does): it never has one.
PARTICIPANT_KEYS = ["id", "name", "user_id", "user_email", "join_time", "leave_time",
                    "duration", "failover", "status", "internal_user"]


# Where 401s are checked: Zoom's spec documents a 401 for this operation (not for /users).
PROBE = "/report/history_meetings?from=2024-01-01&to=2024-01-02"


def enc2(value: str) -> str:
    """Zoom's rule for UUIDs that start with "/" or contain "//": encode twice."""
    return quote(quote(value, safe=""), safe="")


def list_all(client, path, key, **params):
    items, token, pages = [], "", []
    while True:
        response = client.zoom("GET", path, params={**params, "next_page_token": token})
        assert response.status_code == 200, response.text
        body = response.json()
        pages.append(body)
        items += body[key]
        token = body["next_page_token"]
        if not token:
            return items, pages


# -------------------------------------------------------------------------------- OAuth


def test_token_is_issued_for_good_server_to_server_credentials(client):
    response = client.token_response()
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer" and body["expires_in"] == 3600
    assert body["scope"] == ("user:read:admin webinar:read:admin webinar:write:admin "
                             "report:read:admin")
    assert body["access_token"] and body["access_token"] != client.token_response().json()[
        "access_token"]
    users = client.http.get(f"{client.url}/zoom/v2/users", timeout=10,
                            headers={"Authorization": f"Bearer {body['access_token']}"})
    assert users.status_code == 200


def test_account_id_may_come_as_a_query_parameter(client):
    zoom = client.creds["zoom"]
    response = client.http.post(
        f"{client.url}/zoom/oauth/token?grant_type=account_credentials"
        f"&account_id={zoom['account_id']}", auth=(zoom["client_id"], zoom["client_secret"]),
        timeout=10)
    assert response.status_code == 200, response.text


def test_bad_credentials_are_refused_like_zoom(client):
    response = client.token_response(client_secret="wrong")
    assert response.status_code == 401
    assert response.json() == {"reason": "Invalid client_id or client_secret",
                               "error": "invalid_client"}
    response = client.token_response(client_id="someone-else")
    assert response.status_code == 401
    response = client.http.post(f"{client.url}/zoom/oauth/token", timeout=10,
                                data={"grant_type": "account_credentials"})
    assert response.status_code == 401

    response = client.token_response(account_id="no-such-account")
    assert response.status_code == 400
    assert response.json() == {"reason": "Invalid request : Invalid account_id",
                               "error": "invalid_request"}

    response = client.token_response(grant_type="password")
    assert response.status_code == 400
    assert response.json() == {"reason": "Unsupported grant type",
                               "error": "unsupported_grant_type"}


def test_api_needs_a_valid_unexpired_bearer_token(client):
    response = client.http.get(f"{client.url}/zoom/v2{PROBE}", timeout=10)
    assert response.status_code == 401
    assert response.json() == {"code": 124, "message": "Invalid access token."}
    response = client.http.get(f"{client.url}/zoom/v2{PROBE}", timeout=10,
                               headers={"Authorization": "Bearer sbx.s1.9999999999999.x.forged"})
    assert response.status_code == 401 and response.json()["code"] == 124

    client.limits(zoom_token_ttl_s=0)
    stale = client.token_response().json()
    assert stale["expires_in"] == 0
    response = client.http.get(f"{client.url}/zoom/v2{PROBE}", timeout=10,
                               headers={"Authorization": f"Bearer {stale['access_token']}"})
    assert response.status_code == 401
    assert response.json() == {"code": 124, "message": "Access token is expired."}


def test_tokens_survive_a_reset(client):
    token = client.zoom_token()
    client.http.post(f"{client.url}/_sandbox/reset", timeout=10)
    assert client.zoom("GET", "/users").status_code == 200
    assert token == client.zoom_token()


# -------------------------------------------------------------------------------- users, webinars


def test_users_follow_the_users_api_spec(client):
    client.seed("demo")
    body = client.zoom("GET", "/users").json()
    assert body["total_records"] == 2 and body["page_number"] == 1
    assert body["next_page_token"] == ""
    host = body["users"][0]
    assert host["email"] == HOST_EMAIL and host["display_name"] == "Maya Chen"
    assert host["status"] == "active" and isinstance(host["pmi"], int)
    assert isinstance(host["type"], int) and host["verified"] == 1
    for key in ("id", "first_name", "last_name", "timezone", "dept", "created_at",
                "last_login_time"):
        assert isinstance(host[key], str)


def test_host_webinars_scheduled_and_upcoming(client):
    client.seed("demo")
    body = client.zoom("GET", f"/users/{quote(HOST_EMAIL)}/webinars").json()
    ids = [w["id"] for w in body["webinars"]]
    assert sorted(ids) == [W_UPCOMING, W_PAST, W_RECURRING, W_SIGNUP]
    item = body["webinars"][0]
    assert set(item) == {"uuid", "id", "host_id", "topic", "type", "start_time", "duration",
                         "timezone", "agenda", "created_at", "join_url", "is_simulive"}
    assert all(isinstance(w["id"], int) for w in body["webinars"])

    upcoming = client.zoom("GET", f"/users/{quote(HOST_EMAIL)}/webinars",
                           params={"type": "upcoming"}).json()
    assert sorted(w["id"] for w in upcoming["webinars"]) == [W_UPCOMING, W_RECURRING,
                                                             W_SIGNUP]

    host_id = body["webinars"][0]["host_id"]
    by_id = client.zoom("GET", f"/users/{host_id}/webinars").json()
    assert sorted(w["id"] for w in by_id["webinars"]) == sorted(ids)

    other = client.zoom("GET", f"/users/{quote(HOST2_EMAIL)}/webinars").json()
    assert sorted(w["id"] for w in other["webinars"]) == [W_UPCOMING2, W_PAST2]

    missing = client.zoom("GET", "/users/nobody@example.com/webinars")
    assert missing.status_code == 404
    assert missing.json() == {"code": 1001,
                              "message": "User does not exist: nobody@example.com."}


def test_webinar_detail_with_settings_and_recurrence(client):
    client.seed("demo")
    w = client.zoom("GET", f"/webinars/{W_UPCOMING}").json()
    assert w["id"] == W_UPCOMING and w["host_email"] == HOST_EMAIL
    assert w["registration_url"].startswith(client.url)
    assert w["settings"]["approval_type"] == 1
    assert w["settings"]["registrants_email_notification"] is True
    assert w["settings"]["registrants_confirmation_email"] is False
    assert "occurrences" not in w and "recurrence" not in w

    rec = client.zoom("GET", f"/webinars/{W_RECURRING}").json()
    assert rec["type"] == 9 and rec["recurrence"]["type"] == 2
    assert len(rec["occurrences"]) == 1  # only upcoming occurrences by default
    assert set(rec["occurrences"][0]) == {"occurrence_id", "start_time", "duration", "status"}
    everything = client.zoom("GET", f"/webinars/{W_RECURRING}",
                             params={"show_previous_occurrences": "true"}).json()
    assert len(everything["occurrences"]) == 3
    assert all(o["status"] == "available" for o in everything["occurrences"])

    missing = client.zoom("GET", "/webinars/12345")
    assert missing.status_code == 404
    assert missing.json() == {"code": 3001, "message": "Webinar does not exist: 12345."}
    assert client.zoom("GET", "/webinars/not-a-number").json()["code"] == 300


# -------------------------------------------------------------------------------- pagination


def test_registrants_paginate_past_300_with_next_page_token(client):
    client.seed("bench", webinars=1, registrants=650, attendees=0)
    items, pages = list_all(client, "/webinars/90000000001/registrants", "registrants",
                            page_size=1000)
    assert [len(p["registrants"]) for p in pages] == [300, 300, 50]
    assert [p["page_size"] for p in pages] == [300, 300, 300]  # clamped to the maximum
    assert [p["page_number"] for p in pages] == [1, 2, 3]
    assert {p["total_records"] for p in pages} == {650}
    assert {p["page_count"] for p in pages} == {3}
    assert pages[-1]["next_page_token"] == ""
    assert len({r["id"] for r in items}) == 650
    assert {r["email"] for r in items} == {f"person{n}@bench.example" for n in range(1, 651)}

    default = client.zoom("GET", "/webinars/90000000001/registrants").json()
    assert default["page_size"] == 30 and len(default["registrants"]) == 30


def test_expired_or_foreign_page_tokens_fail_with_code_300(client):
    client.seed("bench", webinars=2, registrants=100, attendees=50)
    first = client.zoom("GET", "/webinars/90000000001/registrants").json()
    token = first["next_page_token"]
    assert token

    # a token from another listing is not accepted
    other = client.zoom("GET", "/webinars/90000000002/registrants",
                        params={"next_page_token": token})
    assert other.status_code == 400 and other.json()["code"] == 300
    bogus = client.zoom("GET", "/webinars/90000000001/registrants",
                        params={"next_page_token": "made-up"})
    assert bogus.status_code == 400

    ok = client.zoom("GET", "/webinars/90000000001/registrants",
                     params={"next_page_token": token})
    assert ok.status_code == 200 and ok.json()["page_number"] == 2

    client.advance(15 * 60)  # a page token lives 15 minutes
    expired = client.zoom("GET", "/webinars/90000000001/registrants",
                          params={"next_page_token": token})
    assert expired.status_code == 400
    assert expired.json() == {"code": 300,
                              "message": "The next page token is invalid or expired."}

    token = client.zoom("GET", "/past_webinars/90000000001/participants").json()[
        "next_page_token"]
    expire = client.http.post(f"{client.url}/_sandbox/zoom/page-tokens/expire", timeout=10)
    assert expire.status_code == 200 and expire.json()["expired"] >= 1
    response = client.zoom("GET", "/past_webinars/90000000001/participants",
                           params={"next_page_token": token})
    assert response.status_code == 400 and response.json()["code"] == 300

    client.limits(page_token_ttl_s=0)
    token = client.zoom("GET", "/past_webinars/90000000001/participants").json()[
        "next_page_token"]
    response = client.zoom("GET", "/past_webinars/90000000001/participants",
                           params={"next_page_token": token})
    assert response.status_code == 400 and response.json()["code"] == 300


# -------------------------------------------------------------------------------- registrants


def statuses(client, webinar_id, status):
    body = client.zoom("GET", f"/webinars/{webinar_id}/registrants",
                       params={"status": status, "page_size": 300}).json()
    return {r["email"]: r["status"] for r in body["registrants"]}


def test_registrants_by_status_and_cancelled_listed_as_denied(client):
    client.seed("demo")
    approved = statuses(client, W_UPCOMING, "approved")
    assert len(approved) == 23 and set(approved.values()) == {"approved"}
    assert statuses(client, W_UPCOMING, "pending") == {
        "ben.carter@tailspin.example": "pending", "yuki.tanaka@lamna.example": "pending",
        "omar.haddad@woodgrove.example": "pending"}
    # Zoom has no "cancelled": a cancelled registration is listed as denied
    assert statuses(client, W_UPCOMING, "denied") == {
        "test.user@tempmail.example": "denied", "nora.lindqvist@acme.example": "denied"}
    default = client.zoom("GET", f"/webinars/{W_UPCOMING}/registrants").json()
    assert default["total_records"] == 23  # approved by default

    state = client.state("zoom")["zoom"]
    w1 = next(w for w in state["webinars"] if w["id"] == W_UPCOMING)
    internal = {r["email"]: r["status"] for r in w1["registrants"]}
    assert internal["nora.lindqvist@acme.example"] == "cancelled"
    assert internal["test.user@tempmail.example"] == "denied"

    body = client.zoom("GET", f"/webinars/{W_UPCOMING}/registrants").json()
    reg = body["registrants"][0]
    assert list(reg) == REGISTRANT_KEYS
    assert isinstance(reg["id"], str) and reg["create_time"].endswith("Z")
    assert reg["join_url"].startswith(f"{client.url}/zoom/w/{W_UPCOMING}?tk=")
    assert all(set(q) == {"title", "value"} for q in reg["custom_questions"])


def test_registrant_status_updates(client):
    client.seed("demo")
    some = sorted(statuses(client, W_UPCOMING, "approved"))[0]
    response = client.zoom("PUT", f"/webinars/{W_UPCOMING}/registrants/status",
                           json={"action": "cancel", "registrants": [{"email": some}]})
    assert response.status_code == 204 and response.content == b""
    assert statuses(client, W_UPCOMING, "denied")[some] == "denied"
    assert some not in statuses(client, W_UPCOMING, "approved")
    w1 = next(w for w in client.state("zoom")["zoom"]["webinars"] if w["id"] == W_UPCOMING)
    assert {r["email"]: r["status"] for r in w1["registrants"]}[some] == "cancelled"

    pending = client.zoom("GET", f"/webinars/{W_UPCOMING}/registrants",
                          params={"status": "pending"}).json()["registrants"]
    response = client.zoom("PUT", f"/webinars/{W_UPCOMING}/registrants/status",
                           json={"action": "approve",
                                 "registrants": [{"id": pending[0]["id"]}]})
    assert response.status_code == 204
    assert statuses(client, W_UPCOMING, "approved")[pending[0]["email"]] == "approved"
    response = client.zoom("PUT", f"/webinars/{W_UPCOMING}/registrants/status",
                           json={"action": "deny", "registrants": [{"id": pending[1]["id"]}]})
    assert statuses(client, W_UPCOMING, "denied")[pending[1]["email"]] == "denied"

    too_many = [{"email": f"x{i}@example.com"} for i in range(31)]
    response = client.zoom("PUT", f"/webinars/{W_UPCOMING}/registrants/status",
                           json={"action": "cancel", "registrants": too_many})
    assert response.status_code == 400 and response.json()["code"] == 300
    response = client.zoom("PUT", f"/webinars/{W_UPCOMING}/registrants/status", record=False,
                           json={"action": "explode", "registrants": []})
    assert response.status_code == 400


def test_adding_a_registrant(client):
    client.seed("demo")
    response = client.zoom("POST", f"/webinars/{W_UPCOMING}/registrants",
                           json={"email": "erin@new.example", "first_name": "Erin",
                                 "org": "New Co",
                                 "custom_questions": [
                                     {"title": "What do you hope to learn?",
                                      "value": "Everything"},
                                     # the demo's form requires this one
                                     {"title": "How did you hear about this webinar?",
                                      "value": "Newsletter"}]})
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["id"] == W_UPCOMING and isinstance(body["registrant_id"], str)
    assert body["join_url"].startswith(client.url)
    # the webinar needs manual approval
    assert statuses(client, W_UPCOMING, "pending")["erin@new.example"] == "pending"
    single = client.zoom("GET", f"/webinars/{W_UPCOMING}/registrants/{body['registrant_id']}")
    assert single.json()["org"] == "New Co" and single.json()["language"] == "en-US"

    bad = client.zoom("POST", f"/webinars/{W_UPCOMING}/registrants", record=False,
                      json={"email": "nofirst@new.example"})
    assert bad.status_code == 400 and bad.json()["code"] == 300
    host = client.zoom("POST", f"/webinars/{W_UPCOMING}/registrants",
                       json={"email": HOST_EMAIL, "first_name": "Maya"})
    assert host.status_code == 400 and host.json()["code"] == 3027
    questions = client.zoom("GET", f"/webinars/{W_UPCOMING}/registrants/questions").json()
    assert [q["title"] for q in questions["custom_questions"]] == [
        "What do you hope to learn?", "How did you hear about this webinar?"]


# -------------------------------------------------------------------------------- past webinars


def test_participants_have_one_row_per_join_leave_cycle(client):
    client.seed("demo")
    rows, _ = list_all(client, f"/past_webinars/{W_PAST}/participants", "participants",
                       page_size=300)
    assert all(list(r) == PARTICIPANT_KEYS for r in rows)
    dana = [r for r in rows if r["user_email"] == "dana.kim@contoso.example"]
    assert len(dana) == 3
    assert len({r["id"] for r in dana}) == 1 and dana[0]["id"]
    assert len({r["user_id"] for r in dana}) == 3
    assert all(isinstance(r["duration"], int) and r["duration"] > 0 for r in dana)
    jordan = [r for r in rows if r["user_email"] == "jordan.blake@northwind.example"]
    assert len(jordan) == 2

    guests = [r for r in rows if not r["user_email"]]
    assert len(guests) == 1
    assert guests[0]["id"] == "" and guests[0]["name"] == "Call-in User 1"
    host = [r for r in rows if r["internal_user"]]
    assert [r["user_email"] for r in host] == [HOST_EMAIL]
    assert any(r["user_email"].endswith("@competitor.example") for r in rows)



def test_recurring_instances_and_double_encoded_uuids(client):
    client.seed("demo")
    instances = client.zoom("GET", f"/past_webinars/{W_RECURRING}/instances").json()["webinars"]
    assert len(instances) == 2 and all(set(i) == {"uuid", "start_time"} for i in instances)
    first, second = (i["uuid"] for i in instances)
    assert first.startswith("/") and "//" in second

    for uuid in (first, second):
        report = client.zoom("GET", f"/report/webinars/{enc2(uuid)}")
        assert report.status_code == 200, report.text
        assert report.json()["uuid"] == uuid and report.json()["id"] == W_RECURRING
        parts = client.zoom("GET", f"/past_webinars/{enc2(uuid)}/participants")
        assert parts.status_code == 200, parts.text

    # like Zoom, such a UUID only encoded once is not found
    once = client.zoom("GET", f"/past_webinars/{quote(first, safe='')}/participants")
    assert once.status_code == 404 and once.json()["code"] == 3001

    marcus_first = [r for r in client.zoom(
        "GET", f"/past_webinars/{enc2(first)}/participants", params={"page_size": 300}
    ).json()["participants"] if r["user_email"] == "marcus.reed@acme.example"]
    assert len(marcus_first) == 2

    # a numeric id means the latest ended instance
    latest = client.zoom("GET", f"/report/webinars/{W_RECURRING}").json()
    assert latest["uuid"] == second


def test_report_of_an_ended_webinar(client):
    client.seed("demo")
    report = client.zoom("GET", f"/report/webinars/{W_PAST}").json()
    assert "host_id" not in report  # not in Zoom's spec for this report
    for key, kind in {"uuid": str, "id": int, "type": int, "topic": str,
                      "user_name": str, "user_email": str, "start_time": str, "end_time": str,
                      "duration": int, "total_minutes": int, "participants_count": int,
                      "dept": str, "tracking_fields": list}.items():
        assert isinstance(report[key], kind), key
    assert report["duration"] == 62 and report["user_email"] == HOST_EMAIL
    assert report["start_time"] < report["end_time"]

    not_ended = client.zoom("GET", f"/report/webinars/{W_UPCOMING}")
    assert not_ended.status_code == 404 and not_ended.json()["code"] == 3001
    assert client.zoom("GET", f"/past_webinars/{W_UPCOMING}/instances").json() == {
        "webinars": []}
    assert client.zoom("GET", "/past_webinars/999/instances").status_code == 404


def test_unknown_zoom_route_answers_in_zoom_shape(client):
    # not recorded: these routes are not in Zoom's specs, on purpose
    response = client.zoom("GET", "/no/such/thing", record=False)
    assert response.status_code == 404
    assert set(response.json()) == {"code", "message"}
    response = client.zoom("DELETE", "/users", record=False)
    assert response.status_code == 405 and "code" in response.json()
