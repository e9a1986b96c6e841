"""Rate limits (/_sandbox/limits): HubSpot's rolling 10 s window and daily cap, Zoom's per-category
QPS and daily Heavy cap, Zoom's 3-registrations rule."""

from datetime import UTC, datetime, timedelta

from sandbox.zoom.routes import RATE_LIMIT_LABELS, ROUTES

W_UPCOMING, W_PAST = 81234567001, 81234567003
CONTACTS = "/crm/v3/properties/contacts"


def sandbox_now(client) -> datetime:
    return datetime.fromisoformat(client.clock()["now"].replace("Z", "+00:00"))


def test_limits_get_post_partial_and_null(client):
    default = client.http.get(f"{client.url}/_sandbox/limits", timeout=10).json()
    assert default == {"hubspot_per_10s": None, "hubspot_daily": None, "zoom_qps": None,
                       "zoom_daily_heavy": None, "zoom_token_ttl_s": 3600,
                       "hubspot_token_ttl_s": 1800, "page_token_ttl_s": 900}
    got = client.limits(hubspot_per_10s=190, zoom_qps={"light": 30, "medium": 20})
    assert got["hubspot_per_10s"] == 190 and got["zoom_qps"] == {"light": 30, "medium": 20}
    got = client.limits(zoom_qps={"medium": None, "heavy": 10}, page_token_ttl_s=60)
    assert got["zoom_qps"] == {"light": 30, "heavy": 10} and got["page_token_ttl_s"] == 60
    assert got["hubspot_per_10s"] == 190  # untouched by a partial update
    got = client.limits(hubspot_per_10s=None, zoom_qps=None, page_token_ttl_s=None)
    assert got == default
    for bad in ({"hubspot_per_10s": 0}, {"nope": 1}, {"zoom_qps": {"ultra": 1}},
                {"zoom_qps": 5}, {"zoom_token_ttl_s": -1}, {"hubspot_daily": "10"}):
        response = client.http.post(f"{client.url}/_sandbox/limits", json=bad, timeout=10)
        assert response.status_code == 400, bad
    # seeding keeps limits; /_sandbox/reset clears them
    client.limits(hubspot_daily=5)
    client.seed("demo")
    assert client.http.get(f"{client.url}/_sandbox/limits", timeout=10).json()[
        "hubspot_daily"] == 5
    client.http.post(f"{client.url}/_sandbox/reset", timeout=10)
    assert client.http.get(f"{client.url}/_sandbox/limits", timeout=10).json() == default


def test_no_rate_limit_headers_without_limits(client):
    response = client.hubspot("GET", CONTACTS)
    assert response.status_code == 200
    assert not [h for h in response.headers if h.lower().startswith("x-hubspot-ratelimit")]


def test_hubspot_ten_second_window(frozen_client):
    client = frozen_client
    client.limits(hubspot_per_10s=3)
    remaining = []
    for _ in range(3):
        response = client.hubspot("GET", CONTACTS)
        assert response.status_code == 200
        assert response.headers["X-HubSpot-RateLimit-Interval-Milliseconds"] == "10000"
        assert response.headers["X-HubSpot-RateLimit-Max"] == "3"
        remaining.append(response.headers["X-HubSpot-RateLimit-Remaining"])
    assert remaining == ["2", "1", "0"]
    response = client.hubspot("GET", CONTACTS)
    assert response.status_code == 429
    body = response.json()
    assert set(body) == {"status", "message", "errorType", "correlationId", "policyName",
                         "groupName"}
    assert body["status"] == "error" and body["errorType"] == "RATE_LIMIT"
    assert body["message"] == "You have reached your ten_secondly_rolling limit."
    assert body["policyName"] == "TEN_SECONDLY_ROLLING"
    assert body["groupName"] == "publicapi:private-app:424242"
    assert response.headers["X-HubSpot-RateLimit-Max"] == "3"
    assert response.headers["X-HubSpot-RateLimit-Remaining"] == "0"
    assert response.headers["X-HubSpot-RateLimit-Interval-Milliseconds"] == "10000"
    assert "Retry-After" not in response.headers

    calls = client.calls()
    assert calls["rate_limited"] == 1
    assert calls["rate_limited_by_endpoint"] == {f"hubspot GET {CONTACTS}": 1}
    # the window rolls: a limit of 3 per 10 s, with old entries pushed out
    client.advance(9)
    assert client.hubspot("GET", CONTACTS).status_code == 429
    client.advance(1.5)
    assert client.hubspot("GET", CONTACTS).status_code == 200


def test_hubspot_daily_cap(client):
    client.limits(hubspot_daily=2)
    first = client.hubspot("GET", CONTACTS)
    assert first.headers["X-HubSpot-RateLimit-Daily"] == "2"
    assert first.headers["X-HubSpot-RateLimit-Daily-Remaining"] == "1"
    assert "X-HubSpot-RateLimit-Max" not in first.headers
    assert client.hubspot("GET", CONTACTS).headers["X-HubSpot-RateLimit-Daily-Remaining"] == "0"
    response = client.hubspot("POST", "/crm/v3/objects/contacts/batch/read",
                              json={"idProperty": "email", "inputs": []})
    assert response.status_code == 429
    assert response.json()["policyName"] == "DAILY"
    assert response.json()["errorType"] == "RATE_LIMIT"
    assert response.headers["X-HubSpot-RateLimit-Daily-Remaining"] == "0"
    # unauthenticated requests are refused before they count
    assert client.http.get(f"{client.url}/hubspot{CONTACTS}", timeout=10).status_code == 401


def test_every_zoom_api_route_has_a_rate_limit_category():
    for method, template, _handler, _auth in ROUTES:
        if template.startswith("/v2/"):
            assert RATE_LIMIT_LABELS[(method, template[3:])] in (
                "Light", "Medium", "Heavy", "Resource-intensive")
    assert RATE_LIMIT_LABELS[("GET", "/report/webinars/{webinarId}")] == "Heavy"
    assert RATE_LIMIT_LABELS[("GET", "/webinars/{webinarId}/registrants")] == "Medium"
    assert RATE_LIMIT_LABELS[("GET", "/webinars/{webinarId}")] == "Light"


def test_zoom_qps_per_category(frozen_client):
    client = frozen_client  # every request below lands in the same sandbox second
    client.seed("demo")
    client.zoom_token()
    client.limits(zoom_qps={"light": 2, "medium": 1})
    light = [client.zoom("GET", f"/webinars/{W_UPCOMING}") for _ in range(3)]
    medium = [client.zoom("GET", f"/webinars/{W_UPCOMING}/registrants") for _ in range(2)]
    heavy = [client.zoom("GET", f"/report/webinars/{W_PAST}") for _ in range(3)]  # no limit
    assert [r.status_code for r in light] == [200, 200, 429]
    assert [r.status_code for r in medium] == [200, 429]
    assert [r.status_code for r in heavy] == [200, 200, 200]
    refused = light[2]
    assert refused.json() == {
        "code": 429,
        "message": "You have reached the maximum per-second rate limit for this API. "
                   "Try again later."}
    assert refused.headers["X-RateLimit-Category"] == "Light"
    assert refused.headers["X-RateLimit-Type"] == "QPS"
    assert "Retry-After" not in refused.headers
    assert medium[1].headers["X-RateLimit-Category"] == "Medium"
    assert client.calls()["rate_limited"] == 2
    client.advance(1)  # the next second
    assert client.zoom("GET", f"/webinars/{W_UPCOMING}").status_code == 200
    assert client.zoom("GET", f"/webinars/{W_UPCOMING}").status_code == 200
    assert client.zoom("GET", f"/webinars/{W_UPCOMING}").status_code == 429


def test_zoom_daily_heavy_cap(frozen_client):
    client = frozen_client  # noon: the day does not end during the test
    client.seed("demo")
    client.limits(zoom_daily_heavy=2)
    first = client.zoom("GET", f"/report/webinars/{W_PAST}")
    assert first.status_code == 200
    assert first.headers["X-RateLimit-Limit"] == "2"
    assert first.headers["X-RateLimit-Remaining"] == "1"
    today = sandbox_now(client).date()
    second = client.zoom("GET", "/report/history_meetings",
                         params={"from": str(today - timedelta(days=20)), "to": str(today)})
    assert second.status_code == 200  # Heavy too: shares the cap
    assert client.zoom("GET", f"/webinars/{W_PAST}").status_code == 200  # Light: not capped
    refused = client.zoom("GET", f"/report/webinars/{W_PAST}")
    assert refused.status_code == 429
    assert refused.json() == {
        "code": 429,
        "message": "You have reached the maximum daily rate limit for this API. Refer to the "
                   "response header for details on when you can make the next request."}
    assert refused.headers["X-RateLimit-Type"] == "Daily-limit"
    assert refused.headers["X-RateLimit-Category"] == "Heavy"
    assert refused.headers["X-RateLimit-Limit"] == "2"
    assert refused.headers["X-RateLimit-Remaining"] == "0"
    retry_at = datetime.fromisoformat(refused.headers["Retry-After"].replace("Z", "+00:00"))
    midnight = datetime.combine(today + timedelta(days=1), datetime.min.time(), UTC)
    assert retry_at == midnight
    assert refused.headers["Retry-After"].endswith("T00:00:00Z")


def test_three_registrations_per_day_per_registrant_and_webinar(frozen_client):
    client = frozen_client  # noon: the day does not end during the test
    client.seed("demo")
    # the demo webinars' forms require an answer to "How did you hear about this webinar?"
    person = {"email": "repeat.visitor@example.com", "first_name": "Repeat",
              "custom_questions": [{"title": "How did you hear about this webinar?",
                                    "value": "Search"}]}
    for _ in range(3):
        assert client.zoom("POST", f"/webinars/{W_UPCOMING}/registrants",
                           json=person).status_code == 201
    fourth = client.zoom("POST", f"/webinars/{W_UPCOMING}/registrants",
                         json={**person, "email": "Repeat.Visitor@example.com"})
    assert fourth.status_code == 429
    assert fourth.json() == {
        "code": 429,
        "message": "You have reached the maximum of 3 registrations per day for this "
                   "registrant for this webinar."}
    assert fourth.headers["X-RateLimit-Type"] == "Daily-limit"
    # another person, or the same person for another webinar, is fine
    assert client.zoom("POST", f"/webinars/{W_UPCOMING}/registrants",
                       json={**person, "email": "someone.else@example.com"}).status_code == 201
    assert client.zoom("POST", "/webinars/81234567002/registrants",
                       json=person).status_code == 201
    assert client.calls()["rate_limited_by_endpoint"] == {
        "zoom POST /v2/webinars/{webinarId}/registrants": 1}


def test_page_token_ttl_limit(client):
    client.seed("demo")
    client.limits(page_token_ttl_s=0)
    page = client.zoom("GET", f"/webinars/{W_UPCOMING}/registrants", params={"page_size": 5})
    token = page.json()["next_page_token"]
    assert token
    response = client.zoom("GET", f"/webinars/{W_UPCOMING}/registrants",
                           params={"page_size": 5, "next_page_token": token})
    assert response.status_code == 400 and response.json()["code"] == 300
