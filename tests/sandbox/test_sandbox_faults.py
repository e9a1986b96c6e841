"""Injected faults (/_sandbox/faults): errors, 429s, connection resets, slow answers, partial
batch failures. Each happens before the request touches state, so a retry is always safe."""

import time
from datetime import datetime

import pytest
import requests

from sandbox.clock import Clock
from sandbox.faults import Faults

W_UPCOMING = 81234567001
CONTACTS = "/crm/v3/properties/contacts"
EVENT = "zoom-webinar-1"
ACCOUNT = "sandbox-zoom-account"


def test_faults_get_post_clear_and_validation(client):
    assert client.http.get(f"{client.url}/_sandbox/faults", timeout=10).json() == {}
    got = client.faults(error_rate=0.1, slow_rate=0.01, slow_s=2)
    assert got == {"error_rate": 0.1, "rate_limit_rate": 0.0, "reset_rate": 0.0,
                   "reset_after_apply_rate": 0.0, "slow_rate": 0.01, "slow_s": 2,
                   "partial_rate": 0.0, "partial_category": "INTERNAL_ERROR",
                   "retry_after": "seconds", "retry_after_s": 1.0,
                   "services": ["zoom", "hubspot"], "paths": None, "seed": 1}
    assert client.http.get(f"{client.url}/_sandbox/faults", timeout=10).json() == got
    for bad in ({"error_rate": 2}, {"nope": 1}, {"retry_after": "hours"},
                {"partial_category": "SOMETIMES"},
                {"services": ["slack"]}, {"error_rate": 0.6, "reset_rate": 0.6},
                {"reset_after_apply_rate": 0.5, "rate_limit_rate": 0.6},
                {"paths": []}, {"paths": ["crm/v3"]}):
        response = client.http.post(f"{client.url}/_sandbox/faults", json=bad, timeout=10)
        assert response.status_code == 400, bad
    assert client.faults() == {}
    client.faults(error_rate=1)
    client.seed("demo")  # seeding keeps faults
    assert client.http.get(f"{client.url}/_sandbox/faults", timeout=10).json()["error_rate"] == 1
    client.http.post(f"{client.url}/_sandbox/reset", timeout=10)  # reset clears them
    assert client.http.get(f"{client.url}/_sandbox/faults", timeout=10).json() == {}


def test_error_faults_use_each_services_error_shape(client):
    client.seed("demo")
    client.zoom_token()
    client.faults(error_rate=1)
    statuses = set()
    for _ in range(12):
        response = client.zoom("GET", f"/webinars/{W_UPCOMING}")
        assert response.status_code in (500, 502, 503, 504)
        assert response.json() == {"code": response.status_code,
                                   "message": response.json()["message"]}
        statuses.add(response.status_code)
    assert len(statuses) > 1
    response = client.hubspot("GET", CONTACTS)
    assert response.status_code in (500, 502, 503, 504)
    body = response.json()
    assert body["status"] == "error" and body["category"] == "INTERNAL_ERROR"
    assert body["correlationId"]
    token = client.token_response()
    assert token.status_code >= 500 and set(token.json()) == {"reason", "error"}
    # control routes are never hit
    assert client.http.get(f"{client.url}/_sandbox/state", timeout=10).status_code == 200
    assert client.http.get(f"{client.url}/_sandbox/credentials", timeout=10).status_code == 200
    calls = client.calls()
    assert calls["faults"]["error"] == 14
    assert calls["by_endpoint"]["zoom GET /v2/webinars/{webinarId}"] == 12


def test_faults_happen_before_state_changes(client):
    client.seed("demo")
    client.zoom_token()
    client.faults(error_rate=0.5, rate_limit_rate=0.5)
    for i in range(10):
        response = client.zoom("POST", f"/webinars/{W_UPCOMING}/registrants",
                               json={"email": f"p{i}@faulty.example", "first_name": "P"})
        assert response.status_code in (429, 500, 502, 503, 504)
        response = client.hubspot("POST", "/crm/v3/objects/contacts/batch/upsert", json={
            "inputs": [{"id": f"p{i}@faulty.example", "idProperty": "email",
                        "properties": {}}]})
        assert response.status_code in (429, 500, 502, 503, 504)
    client.faults()
    state = client.state()
    w1 = next(w for w in state["zoom"]["webinars"] if w["id"] == W_UPCOMING)
    assert not [r for r in w1["registrants"] if r["email"].endswith("@faulty.example")]
    assert len(state["hubspot"]["contacts"]) == 3


@pytest.mark.parametrize("fmt", ["seconds", "milliseconds", "iso", "none"])
def test_rate_limit_faults_and_retry_after_formats(frozen_client, fmt):
    client = frozen_client  # a Retry-After date is the sandbox's time plus the delay
    client.seed("demo")
    client.zoom_token()
    client.faults(rate_limit_rate=1, retry_after=fmt, retry_after_s=0.25 if fmt == "milliseconds"
                  else 1)
    zoom = client.zoom("GET", f"/webinars/{W_UPCOMING}/registrants")
    hubspot = client.hubspot("GET", CONTACTS)
    assert zoom.status_code == 429 and hubspot.status_code == 429
    assert zoom.json() == {"code": 429, "message": "You have reached the maximum per-second "
                                                   "rate limit for this API. Try again later."}
    assert zoom.headers["X-RateLimit-Category"] == "Medium"
    assert zoom.headers["X-RateLimit-Type"] == "QPS"
    body = hubspot.json()
    assert body["policyName"] == "TEN_SECONDLY_ROLLING" and body["errorType"] == "RATE_LIMIT"
    assert hubspot.headers["X-HubSpot-RateLimit-Remaining"] == "0"
    for response in (zoom, hubspot):
        if fmt == "seconds":
            assert response.headers["Retry-After"] == "1"
            assert "Retry-After-Ms" not in response.headers
        elif fmt == "milliseconds":
            assert response.headers["Retry-After-Ms"] == "250"
            assert "Retry-After" not in response.headers
        elif fmt == "iso":
            at = datetime.fromisoformat(response.headers["Retry-After"].replace("Z", "+00:00"))
            now = datetime.fromisoformat(client.clock()["now"].replace("Z", "+00:00"))
            assert (at - now).total_seconds() == 1
        else:
            assert "Retry-After" not in response.headers
            assert "Retry-After-Ms" not in response.headers
    calls = client.calls()
    assert calls["faults"]["rate_limit"] == 2 and calls["rate_limited"] == 2
    assert calls["rate_limited_by_endpoint"] == {
        "hubspot GET /crm/v3/properties/contacts": 1,
        "zoom GET /v2/webinars/{webinarId}/registrants": 1}


def test_reset_fault_closes_the_connection_without_an_answer(client):
    client.faults(reset_rate=1, services=["hubspot"])
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{client.url}/hubspot{CONTACTS}", timeout=5,
                     headers={"Authorization": f"Bearer {client.creds['hubspot']['token']}"})
    # Zoom is not in "services"
    assert client.token_response().status_code == 200
    assert client.calls()["faults"]["reset"] == 1
    # the server is fine afterwards
    client.faults()
    assert client.hubspot("GET", CONTACTS).status_code == 200


def test_reset_after_apply_applies_the_request_then_drops_the_answer(client):
    client.faults(reset_after_apply_rate=1, services=["hubspot"])
    with pytest.raises(requests.ConnectionError):
        requests.post(f"{client.url}/hubspot/crm/v3/objects/contacts/batch/upsert", timeout=5,
                      headers={"Authorization": f"Bearer {client.creds['hubspot']['token']}"},
                      json={"inputs": [{"id": "lost@example.com", "idProperty": "email",
                                        "properties": {"firstname": "Lou"}}]})
    # HubSpot did it, though its caller never heard so
    assert client.hubspot_contacts_emails() == ["lost@example.com"]
    assert client.calls()["faults"]["reset_after_apply"] == 1
    client.faults()
    again = upsert(client, ["lost@example.com"], firstname="Lou")
    assert again.status_code == 200 and again.json()["results"][0]["new"] is False


def test_faults_can_be_narrowed_to_paths(client):
    client.faults(error_rate=1, paths=["/crm/v3/objects/"], services=["hubspot"])
    assert client.hubspot("GET", CONTACTS).status_code == 200
    assert upsert(client, ["a@example.com"]).status_code in (500, 502, 503, 504)
    assert client.calls()["faults"]["error"] == 1


def test_slow_fault_delays_the_answer(client):
    client.faults(slow_rate=1, slow_s=0.3)
    started = time.monotonic()
    assert client.hubspot("GET", CONTACTS).status_code == 200
    assert time.monotonic() - started >= 0.3
    started = time.monotonic()
    assert client.http.get(f"{client.url}/_sandbox/health", timeout=10).status_code == 200
    assert time.monotonic() - started < 0.3
    assert client.calls()["faults"]["slow"] == 1


def test_fault_sequence_is_deterministic_for_a_seed():
    def sequence(seed):
        faults = Faults(Clock())
        faults.configure({"error_rate": 0.3, "rate_limit_rate": 0.2, "seed": seed})
        return [(f.kind, f.status) if f else None for f in
                (faults.draw("zoom") for _ in range(50))]

    assert sequence(7) == sequence(7)
    assert sequence(7) != sequence(8)
    kinds = [s[0] for s in sequence(7) if s]
    assert "error" in kinds and "rate_limit" in kinds

    faults = Faults(Clock())
    faults.configure({"reset_after_apply_rate": 0.2, "seed": 3})
    drawn = [faults.draw("hubspot") for _ in range(200)]
    lost = sum(1 for f in drawn if f and f.kind == "reset_after_apply")
    assert 20 < lost < 60 and all(f is None or f.kind == "reset_after_apply" for f in drawn)


def upsert(client, emails, **props):
    return client.hubspot("POST", "/crm/v3/objects/contacts/batch/upsert", json={
        "inputs": [{"id": e, "idProperty": "email", "properties": props} for e in emails]})


def test_partial_batch_upsert_fails_some_inputs_and_does_not_apply_them(client):
    emails = [f"person{i}@example.com" for i in range(20)]
    client.faults(partial_rate=0.4, seed=3)
    response = upsert(client, emails, firstname="Pat")
    assert response.status_code == 207
    body = response.json()
    assert set(body) == {"status", "results", "numErrors", "errors", "startedAt",
                         "completedAt"}
    assert body["status"] == "COMPLETE"
    failed = [i for e in body["errors"] for i in e["context"]["ids"]]
    assert failed and body["numErrors"] == len(body["errors"]) == len(failed)
    for error in body["errors"]:
        assert error["status"] == "error" and error["category"] == "INTERNAL_ERROR"
        assert error["message"]
        # every field HubSpot's StandardError requires
        assert set(error) == {"status", "category", "message", "context", "errors", "links"}
    done = [r["properties"]["email"] for r in body["results"]]
    assert sorted(done + failed) == sorted(emails)
    assert set(client.hubspot_contacts_emails()) == set(done)  # failed ones were not applied
    assert client.calls()["faults"]["partial"] == 1

    client.faults()
    retry = upsert(client, failed, firstname="Pat")
    assert retry.status_code == 200
    assert set(client.hubspot_contacts_emails()) == set(emails)


def test_partial_batch_read(client):
    upsert(client, ["a@example.com", "b@example.com", "c@example.com", "d@example.com"])
    client.faults(partial_rate=0.5, seed=5)
    response = client.hubspot("POST", "/crm/v3/objects/contacts/batch/read", json={
        "idProperty": "email",
        "inputs": [{"id": e} for e in ("a@example.com", "b@example.com", "c@example.com",
                                       "d@example.com", "missing@example.com")]})
    assert response.status_code == 207
    body = response.json()
    categories = [e["category"] for e in body["errors"]]
    failed = [i for e in body["errors"] if e["category"] == "INTERNAL_ERROR"
              for i in e["context"]["ids"]]
    assert failed and body["numErrors"] == len(body["errors"])
    read = {r["properties"]["email"] for r in body["results"]}
    assert read.isdisjoint(failed)
    assert read | set(failed) >= {"a@example.com", "b@example.com", "c@example.com",
                                  "d@example.com"}
    if "missing@example.com" not in failed:
        assert "OBJECT_NOT_FOUND" in categories


def test_partial_attendance_email_create(client):
    put = client.hubspot("PUT", f"/marketing/v3/marketing-events/events/{EVENT}", json={
        "externalAccountId": ACCOUNT, "externalEventId": EVENT, "eventName": "W",
        "eventOrganizer": "Org", "eventType": "WEBINAR", "customProperties": []})
    assert put.status_code == 200
    emails = [f"att{i}@example.com" for i in range(10)]
    client.faults(partial_rate=0.5, seed=11, services=["hubspot"])
    response = client.hubspot(
        "POST", f"/marketing/v3/marketing-events/attendance/{EVENT}/register/email-create",
        params={"externalAccountId": ACCOUNT},
        json={"inputs": [{"email": e, "interactionDateTime": 1_700_000_000_000,
                          "properties": {}, "contactProperties": {}} for e in emails]})
    # HubSpot documents no 207 here: the failed inputs come in a 200's errors
    assert response.status_code == 200
    body = response.json()
    failed = [i for e in body["errors"] for i in e["context"]["ids"]]
    assert failed and len(failed) < len(emails) and body["numErrors"] == len(failed)
    event = client.state("hubspot")["hubspot"]["marketing_events"][0]
    recorded = {a["email"] for a in event["attendance"]}
    assert recorded == set(emails) - set(failed)
    assert set(client.hubspot_contacts_emails()) == recorded
