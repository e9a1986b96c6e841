"""The sandbox's clock (/_sandbox/clock): real time plus an offset that only moves forward, and
everything that expires or rolls over follows it."""

from datetime import UTC, datetime, timedelta

W_UPCOMING, W_PAST = 81234567001, 81234567003
CONTACTS = "/crm/v3/properties/contacts"
# Where 401s are checked: Zoom's spec documents a 401 for this operation.
PROBE = "/report/history_meetings?from=2024-01-01&to=2024-01-02"


def parse(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def test_clock_moves_forward_and_reset_puts_it_back(client):
    start = client.clock()
    assert start["offset_s"] == 0
    assert abs((parse(start["now"]) - datetime.now(UTC)).total_seconds()) < 5
    moved = client.advance(3600)
    assert moved["offset_s"] == 3600
    assert timedelta(seconds=3600) <= parse(moved["now"]) - parse(start["now"]) \
        < timedelta(seconds=3605)
    assert client.advance(0.5)["offset_s"] == 3600.5
    for bad in ({"advance_s": -1}, {"advance_s": "10"}, {"advance_s": True}, {},
                {"advance_s": 1, "offset_s": 2}, [60]):
        response = client.http.post(f"{client.url}/_sandbox/clock", json=bad, timeout=10)
        assert response.status_code == 400, bad
        assert "error" in response.json()
    assert client.clock()["offset_s"] == 3600.5  # refused requests changed nothing
    client.seed("demo")  # seeding keeps the clock, like limits and faults
    assert client.clock()["offset_s"] == 3600.5
    client.http.post(f"{client.url}/_sandbox/reset", timeout=10)
    assert client.clock()["offset_s"] == 0


def test_seeded_times_are_relative_to_the_sandbox_clock(client):
    client.advance(30 * 86400)
    client.seed("bench", webinars=1, registrants=5, attendees=2)
    now = parse(client.clock()["now"])
    instance = client.state("zoom")["zoom"]["webinars"][0]["instances"][0]
    assert timedelta(hours=22) < now - parse(instance["end_time"]) < timedelta(hours=25)


def test_tokens_and_page_tokens_expire_when_the_clock_moves(client):
    client.seed("demo")
    token = client.zoom_token()
    assert client.zoom("GET", f"/webinars/{W_UPCOMING}").status_code == 200
    page = client.zoom("GET", f"/webinars/{W_UPCOMING}/registrants", params={"page_size": 5})
    next_token = page.json()["next_page_token"]

    client.advance(901)  # page tokens live 15 minutes
    expired = client.zoom("GET", f"/webinars/{W_UPCOMING}/registrants",
                          params={"page_size": 5, "next_page_token": next_token})
    assert expired.status_code == 400
    assert expired.json() == {"code": 300,
                              "message": "The next page token is invalid or expired."}

    client.advance(3601 - 901)  # the access token lived an hour
    response = client.http.get(f"{client.url}/zoom/v2{PROBE}", timeout=10,
                               headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert response.json() == {"code": 124, "message": "Access token is expired."}
    fresh = client.token_response().json()  # a token issued now lives an hour from now
    assert fresh["expires_in"] == 3600
    response = client.http.get(f"{client.url}/zoom/v2/webinars/{W_UPCOMING}", timeout=10,
                               headers={"Authorization": f"Bearer {fresh['access_token']}"})
    assert response.status_code == 200


def test_authorization_codes_expire_after_ten_minutes(client):
    zoom = client.creds["zoom"]
    answer = client.http.get(f"{client.url}/zoom/oauth/authorize", timeout=10,
                             allow_redirects=False,
                             params={"response_type": "code", "client_id": zoom["oauth_client_id"],
                                     "redirect_uri": "http://127.0.0.1:8000/cb"})
    code = answer.headers["Location"].split("code=")[1].split("&")[0]
    client.advance(601)
    response = client.http.post(
        f"{client.url}/zoom/oauth/token", timeout=10,
        auth=(zoom["oauth_client_id"], zoom["oauth_client_secret"]),
        data={"grant_type": "authorization_code", "code": code,
              "redirect_uri": "http://127.0.0.1:8000/cb"})
    assert response.status_code == 400 and response.json()["error"] == "invalid_grant"


def test_daily_caps_roll_over_at_the_sandbox_midnight(frozen_client):
    client = frozen_client
    client.seed("demo")
    client.zoom_token()
    client.limits(zoom_daily_heavy=1)
    # the demo webinars' forms require an answer to "How did you hear about this webinar?"
    person = {"email": "repeat.visitor@example.com", "first_name": "Repeat",
              "custom_questions": [{"title": "How did you hear about this webinar?",
                                    "value": "Search"}]}
    assert client.zoom("GET", f"/report/webinars/{W_PAST}").status_code == 200
    for _ in range(3):
        assert client.zoom("POST", f"/webinars/{W_UPCOMING}/registrants",
                           json=person).status_code == 201
    refused = client.zoom("GET", f"/report/webinars/{W_PAST}")
    assert refused.status_code == 429
    midnight = parse(refused.headers["Retry-After"])
    assert client.zoom("POST", f"/webinars/{W_UPCOMING}/registrants",
                       json=person).status_code == 429

    now = parse(client.clock()["now"])
    client.advance((midnight - now).total_seconds() + 1)
    client._zoom_token = None  # twelve hours later the hour-long token has expired too
    assert client.zoom("GET", f"/report/webinars/{W_PAST}").status_code == 200
    assert client.zoom("POST", f"/webinars/{W_UPCOMING}/registrants",
                       json=person).status_code == 201


def test_hubspot_window_rolls_with_the_clock(frozen_client):
    client = frozen_client
    client.limits(hubspot_per_10s=2, hubspot_daily=3)
    assert [client.hubspot("GET", CONTACTS).status_code for _ in range(3)] == [200, 200, 429]
    client.advance(10)
    third = client.hubspot("GET", CONTACTS)
    assert third.status_code == 200
    assert third.headers["X-HubSpot-RateLimit-Daily-Remaining"] == "0"
    client.advance(10)
    assert client.hubspot("GET", CONTACTS).json()["policyName"] == "DAILY"
    client.advance(86400)
    assert client.hubspot("GET", CONTACTS).status_code == 200


def test_retry_after_dates_are_sandbox_time(frozen_client):
    client = frozen_client
    client.advance(5 * 86400)
    client.faults(rate_limit_rate=1, retry_after="iso", retry_after_s=2, services=["hubspot"])
    response = client.hubspot("GET", CONTACTS)
    assert response.status_code == 429
    ahead = parse(response.headers["Retry-After"]) - parse(client.clock()["now"])
    assert timedelta(seconds=2) <= ahead < timedelta(seconds=3)
