"""The control API, call counting, recording, seeds and the command line."""

import json
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import requests

from sandbox import SandboxServer
from sandbox.seeds import apply_seed
from sandbox.world import World

ROOT = Path(__file__).resolve().parents[2]


def test_credentials_are_fixed(client):
    creds = client.creds
    assert creds["zoom"]["account_id"] == "sandbox-zoom-account"
    assert creds["zoom"]["client_id"] == "sandbox-zoom-client-id"
    assert creds["zoom"]["client_secret"] and creds["zoom"]["webhook_secret"]
    assert creds["hubspot"]["token"].startswith("pat-na1-")
    assert creds["hubspot"]["portal_id"] == "424242" and creds["hubspot"]["app_id"] == "1001"
    assert creds["hubspot"]["client_secret"]
    with SandboxServer() as other:
        assert requests.get(f"{other.url}/_sandbox/credentials", timeout=10).json() == creds


def test_calls_are_counted_by_path_template(client):
    client.seed("demo")
    client.zoom("GET", "/webinars/81234567001/registrants")
    client.zoom("GET", "/webinars/81234567003/registrants", params={"status": "denied"})
    client.zoom("GET", "/webinars/81234567003")
    client.http.get(f"{client.url}/zoom/v2/users", timeout=10,  # unauthenticated: counted too
                    headers={"X-Sandbox-Record": "off"})  # (a 401 Zoom's spec leaves out)
    client.hubspot("POST", "/crm/v3/objects/contacts/batch/upsert", json={"inputs": [
        {"id": "a@example.com", "idProperty": "email", "properties": {}}]})
    client.hubspot("POST", "/marketing/v3/marketing-events/attendance/e1/attend/email-create",
                   params={"externalAccountId": "x"}, json={"inputs": []})
    client.hubspot("GET", "/nope")
    client.state()  # control calls are not counted

    calls = client.calls()
    assert calls["by_endpoint"] == {
        "zoom POST /oauth/token": 1,
        "zoom GET /v2/webinars/{webinarId}/registrants": 2,
        "zoom GET /v2/webinars/{webinarId}": 1,
        "zoom GET /v2/users": 1,
        "hubspot POST /crm/v3/objects/contacts/batch/upsert": 1,
        "hubspot POST /marketing/v3/marketing-events/attendance/{externalEventId}/"
        "{subscriberState}/email-create": 1,
        "hubspot GET (unmatched)": 1,
    }
    assert calls["total"] == 8 and calls["rate_limited"] == 0
    # the unauthenticated call; the unknown event and the unknown route
    assert calls["by_status"]["401"] == 1 and calls["by_status"]["404"] == 2

    assert client.http.post(f"{client.url}/_sandbox/calls/reset", timeout=10).status_code == 200
    assert client.calls() == {
        "total": 0, "rate_limited": 0, "by_endpoint": {}, "rate_limited_by_endpoint": {},
        "by_status": {},
        "faults": {"error": 0, "rate_limit": 0, "reset": 0, "reset_after_apply": 0, "slow": 0,
                       "partial": 0}}


def test_record_file_has_one_redacted_line_per_exchange(tmp_path):
    path = tmp_path / "exchanges.jsonl"
    with SandboxServer(record_path=str(path)) as srv:
        http = requests.Session()
        creds = http.get(f"{srv.url}/_sandbox/credentials", timeout=10).json()
        http.post(f"{srv.url}/_sandbox/seed", json={"scenario": "demo"}, timeout=10)
        zoom = creds["zoom"]
        token = http.post(f"{srv.url}/zoom/oauth/token", timeout=10,
                          auth=(zoom["client_id"], zoom["client_secret"]),
                          data={"grant_type": "account_credentials",
                                "account_id": zoom["account_id"]}).json()["access_token"]
        http.get(f"{srv.url}/zoom/v2/webinars/81234567003/registrants",
                 params={"page_size": 5}, headers={"Authorization": f"Bearer {token}"},
                 timeout=10)
        http.post(f"{srv.url}/hubspot/crm/v3/objects/contacts/batch/read", timeout=10,
                  headers={"Authorization": f"Bearer {creds['hubspot']['token']}"},
                  json={"idProperty": "email", "inputs": [{"id": "x@example.com"}]})
        http.get(f"{srv.url}/zoom/v2/nope", timeout=10,  # off-spec on purpose: not recorded
                 headers={"Authorization": f"Bearer {token}", "X-Sandbox-Record": "off"})
    text = path.read_text()
    for secret in (token, zoom["client_secret"], creds["hubspot"]["token"]):
        assert secret not in text
    lines = [json.loads(line) for line in text.splitlines()]
    assert [(e["service"], e["method"], e["path"], e["status"]) for e in lines] == [
        ("zoom-oauth", "POST", "/zoom/oauth/token", 200),
        ("zoom", "GET", "/zoom/v2/webinars/81234567003/registrants", 200),
        ("hubspot", "POST", "/hubspot/crm/v3/objects/contacts/batch/read", 207),
    ]
    token_line, list_line, read_line = lines
    assert token_line["response_body"]["access_token"] == "[redacted]"
    assert token_line["response_body"]["token_type"] == "bearer"
    assert token_line["request_body"] == {"grant_type": "account_credentials",
                                          "account_id": zoom["account_id"]}
    assert token_line["headers"]["authorization"] == "[redacted]"
    assert list_line["query"] == {"page_size": "5"}
    assert len(list_line["response_body"]["registrants"]) == 5
    assert read_line["request_body"]["inputs"] == [{"id": "x@example.com"}]
    assert read_line["headers"]["authorization"] == "[redacted]"


def test_state_sections_and_reset(client):
    summary = client.seed("demo")
    assert summary["webinars"] == 8 and summary["contacts"] == 3
    state = client.state()
    assert set(state) == {"hubspot", "zoom"}
    assert set(client.state("zoom")) == {"zoom"}
    assert set(client.state("hubspot")) == {"hubspot"}
    contacts = {c["properties"]["email"]: c for c in state["hubspot"]["contacts"]}
    assert set(contacts) == {"jordan.blake@northwind.example", "priya.natarajan@globex.example",
                             "sam.okafor@initech.example"}
    assert contacts["jordan.blake@northwind.example"]["properties"]["firstname"] == "Jordy"
    assert state["hubspot"]["marketing_events"] == [] and state["hubspot"]["properties"] == []
    assert [u["email"] for u in state["zoom"]["users"]] == ["host@sandbox.example",
                                                          "webinars@sandbox.example"]
    w = state["zoom"]["webinars"][2]
    assert set(w) >= {"id", "topic", "type", "start_time", "duration", "registrants",
                      "instances"}
    assert set(w["registrants"][0]) == {"id", "email", "first_name", "last_name", "status",
                                        "create_time", "occurrence_ids"}
    assert set(w["instances"][0]["participants"][0]) >= {
        "id", "registrant_id", "user_email", "name", "join_time", "leave_time", "duration"}

    assert client.http.post(f"{client.url}/_sandbox/reset", timeout=10).status_code == 200
    empty = client.state()
    assert empty["zoom"] == {"users": [], "webinars": [], "meetings": []}
    assert empty["hubspot"]["contacts"] == [] and empty["hubspot"]["property_groups"] == [
        "contactinformation"]
    assert client.calls()["total"] == 0


def test_demo_seed_is_deterministic_and_complete():
    a, b = World(), World()
    apply_seed(a, "demo")
    apply_seed(b, "demo")

    def ids(world):
        return [(w.id, w.uuid, [r.id for r in w.registrants],
                 [(i.uuid, [p.user_id for p in i.participants]) for i in w.instances])
                for w in world.webinars.values()]

    assert ids(a) == ids(b)
    for w in a.webinars.values():
        # the sign-up webinar (81234567008) has nobody registered yet
        assert 20 <= len(w.registrants) <= 40 or (w.id, w.registrants) == (81234567008, [])
    statuses = {r.status for w in a.webinars.values() for r in w.registrants}
    assert statuses == {"approved", "pending", "denied", "cancelled"}
    emails = [r.email.lower() for w in a.webinars.values() for r in w.registrants]
    assert any(emails.count(e) > 1 for e in emails)  # some people register several times


def test_bench_seed_sizes(client, srv):
    summary = client.seed("bench", webinars=2, registrants=1000, attendees=700, seed=7)
    assert summary["registrants"] == 2000 and summary["webinars"] == 2
    for w in srv.world.webinars.values():
        rows = w.instances[0].participants
        people = {p.registrant_id for p in rows}
        assert len(people) == 700 and len(rows) > 700
        instance = w.instances[0]
        assert instance.end_time - instance.start_time == timedelta(minutes=60)
        assert timedelta(hours=22) < srv.world.now() - instance.end_time < timedelta(hours=25)
        assert all(r.status == "approved" for r in w.registrants)
    bad = client.http.post(f"{client.url}/_sandbox/seed", timeout=10,
                           json={"scenario": "bench", "registrantz": 5})
    assert bad.status_code == 400
    assert client.http.post(f"{client.url}/_sandbox/seed", timeout=10,
                            json={"scenario": "nope"}).status_code == 400


def test_bench_seed_handles_50k_registrants(srv):
    info = srv.seed("bench", registrants=50_000, attendees=35_000)
    assert info["registrants"] == 50_000 and info["participants"] > 35_000
    w = next(iter(srv.world.webinars.values()))
    assert len(w.reg_by_email) == 50_000


def test_custom_world_like_the_product_tests_use(client):
    world = {
        "users": [{"id": "host-user-1", "email": "host@acme.example", "first_name": "Hana",
                   "last_name": "Host"}],
        "webinars": [{
            "id": 81234567890, "topic": "Pipeline Masterclass", "type": 5,
            "start_time": "2030-01-01T15:00:00Z", "duration": 60, "host_id": "host-user-1",
            "registrants": [
                {"email": "alice@customer.example", "first_name": "Alice", "last_name": "A",
                 "status": "approved", "org": "Customer Inc",
                 "create_time": "2029-12-29T15:00:00Z",
                 "custom_questions": [{"title": "What do you hope to learn?",
                                       "value": "Attribution"}]},
                {"email": "Bob@Customer.example", "first_name": "Bob", "status": "pending"}],
            "instances": [{"uuid": "pastUUID111==", "start_time": "2030-01-01T15:00:00Z",
                           "end_time": "2030-01-01T16:00:00Z", "participants": [
                               {"registrant_email": "alice@customer.example",
                                "user_email": "alice@customer.example",
                                "join_time": "2030-01-01T15:00:00Z",
                                "leave_time": "2030-01-01T15:20:00Z"},
                               {"name": "iPhone caller", "join_time": "2030-01-01T15:05:00Z",
                                "leave_time": "2030-01-01T15:25:00Z"},
                               {"registrant_email": "alice@customer.example",
                                "user_email": "alice@customer.example",
                                "join_time": "2030-01-01T15:30:00Z",
                                "leave_time": "2030-01-01T15:50:00Z"}]}],
        }],
        "hubspot": {"contacts": [{"email": "bob@customer.example",
                                  "properties": {"firstname": "Robert", "lastname": ""}}]},
    }
    client.seed("custom", **world)
    regs = client.zoom("GET", "/webinars/81234567890/registrants").json()["registrants"]
    assert [r["email"] for r in regs] == ["alice@customer.example"]
    assert regs[0]["org"] == "Customer Inc"
    rows = client.zoom("GET", f"/report/webinars/{quote('pastUUID111==')}/participants",
                       params={"include_fields": "registrant_id"}).json()["participants"]
    assert [r["name"] for r in rows] == ["Alice A", "iPhone caller", "Alice A"]
    assert rows[0]["registrant_id"] == regs[0]["id"] == rows[2]["registrant_id"]
    assert rows[0]["id"] == rows[2]["id"] and rows[0]["user_id"] != rows[2]["user_id"]
    assert rows[1]["registrant_id"] == "" and rows[1]["user_email"] == ""
    assert rows[0]["duration"] == 1200
    [bob] = client.state("hubspot")["hubspot"]["contacts"]
    assert bob["properties"]["firstname"] == "Robert" and "lastname" not in bob["properties"]

    bad = dict(world, webinars=[{**world["webinars"][0], "host_id": "nobody"}])
    response = client.http.post(f"{client.url}/_sandbox/seed", timeout=10,
                                json={"scenario": "custom", **bad})
    assert response.status_code == 400 and "host_id" in response.json()["error"]


def test_command_line_serves_until_stopped():
    proc = subprocess.Popen(
        [sys.executable, "-m", "sandbox", "--port", "0", "--seed", "demo"], cwd=ROOT,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        url = None
        for _ in range(10):
            line = proc.stdout.readline()
            if line.startswith("Sandbox serving on "):
                url = line.split()[-1]
                break
        assert url and url.startswith("http://127.0.0.1:")
        state = requests.get(f"{url}/_sandbox/state", params={"section": "zoom"},
                             timeout=10).json()
        assert len(state["zoom"]["webinars"]) == 8
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_malformed_json_and_chunked_bodies(client):
    bad = client.hubspot("POST", "/crm/v3/objects/contacts/batch/read", data=b"{not json",
                         headers={"Content-Type": "application/json"})
    assert bad.status_code == 400 and bad.json()["category"] == "VALIDATION_ERROR"
    bad = client.zoom("PUT", "/webinars/1/registrants/status", data=b"[",
                      headers={"Content-Type": "application/json"})
    assert bad.status_code == 400 and bad.json()["code"] == 300

    def chunks():  # requests sends a generator with Transfer-Encoding: chunked
        yield b'{"idProperty": "email", '
        yield b'"inputs": [{"id": "nobody@example.com"}]}'

    response = client.hubspot("POST", "/crm/v3/objects/contacts/batch/read", data=chunks(),
                              headers={"Content-Type": "application/json"})
    assert response.status_code == 207
    assert response.json()["errors"][0]["context"]["ids"] == ["nobody@example.com"]
    # the connection is still usable afterwards
    assert client.hubspot("GET", "/crm/v3/properties/contacts/groups").status_code == 200


def test_seeded_people_may_carry_addresses_zoom_should_have_refused(client):
    """Zoom's checks are not perfect and a participant's user_email is free text: a seed may
    hold such addresses, within the lengths Zoom documents (128 for a registrant)."""
    odd = ["a@b@c", "foo@", "@bar.com", "spaces in@x.com"]
    long_address = "x" * 288 + "@example.com"
    world = {"webinars": [{
        "id": 81234567890, "topic": "Odd addresses", "start_time": "2030-01-01T15:00:00Z",
        "registrants": [{"email": email, "first_name": "Odd"} for email in odd],
        "instances": [{"uuid": "oddUUID==", "start_time": "2030-01-01T15:00:00Z",
                       "end_time": "2030-01-01T16:00:00Z", "participants": [
                           {"registrant_email": "foo@", "join_time": "2030-01-01T15:00:00Z",
                            "leave_time": "2030-01-01T15:20:00Z"},
                           {"user_email": long_address, "name": "Long address",
                            "join_time": "2030-01-01T15:00:00Z",
                            "leave_time": "2030-01-01T15:30:00Z"}]}],
    }]}
    client.seed("custom", **world)
    regs = client.zoom("GET", "/webinars/81234567890/registrants").json()["registrants"]
    assert sorted(r["email"] for r in regs) == sorted(odd)
    rows = client.zoom("GET", "/past_webinars/oddUUID%3D%3D/participants").json()[
        "participants"]
    assert [r["user_email"] for r in rows] == ["foo@", long_address]

    too_long = {"webinars": [{**world["webinars"][0], "instances": [],
                              "registrants": [{"email": long_address}]}]}
    response = client.http.post(f"{client.url}/_sandbox/seed", timeout=10,
                                json={"scenario": "custom", **too_long})
    assert response.status_code == 400 and "128" in response.json()["error"]
