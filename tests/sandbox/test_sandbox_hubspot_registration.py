"""HubSpot's side of registering contacts into webinars: form submissions, the app's custom
workflow action (signed runs, blocked runs completed through callbacks) and its definitions."""

import base64
import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

SUBMISSIONS = "/form-integrations/v1/submissions/forms"
ACTIONS = "/automation/v4/actions"


def control(client, path: str, body: dict):
    return client.http.post(f"{client.url}/_sandbox/{path}", json=body, timeout=30)


def new_form(client, **body) -> dict:
    response = control(client, "hubspot/forms", {"name": "Sign-up",
                                                 "fields": ["email", "firstname", "company"],
                                                 **body})
    assert response.status_code == 201, response.text
    return response.json()


def submit(client, guid: str, **body):
    response = control(client, f"hubspot/forms/{guid}/submissions", body)
    assert response.status_code == 201, response.text
    return response.json()


# ---------------------------------------------------------------------------------- forms
def test_submissions_are_paged_newest_first(client):
    form = new_form(client, guid="form-1")
    assert form["guid"] == "form-1" and form["submissions"] == []
    for i in range(60):
        submit(client, "form-1", values={"email": f"p{i}@crowd.example"},
               submittedAt=1_790_000_000_000 + i * 1000)
    first = client.hubspot("GET", f"{SUBMISSIONS}/form-1", params={"limit": 50})
    assert first.status_code == 200, first.text
    body = first.json()
    assert len(body["results"]) == 50
    times = [r["submittedAt"] for r in body["results"]]
    assert times == sorted(times, reverse=True) and times[0] == 1_790_000_059_000
    assert body["results"][0]["values"] == [{"name": "email", "value": "p59@crowd.example"}]
    assert set(body["results"][0]) == {"conversionId", "submittedAt", "values", "pageUrl"}
    after = body["paging"]["next"]["after"]
    assert body["paging"]["next"]["link"].startswith(f"{client.url}/hubspot{SUBMISSIONS}/form-1?")
    second = client.hubspot("GET", f"{SUBMISSIONS}/form-1",
                            params={"limit": 50, "after": after}).json()
    assert len(second["results"]) == 10 and "paging" not in second
    assert second["results"][-1]["values"][0]["value"] == "p0@crowd.example"
    ids = {r["conversionId"] for r in body["results"] + second["results"]}
    assert len(ids) == 60
    # the default page is 20
    assert len(client.hubspot("GET", f"{SUBMISSIONS}/form-1").json()["results"]) == 20
    assert client.calls()["by_endpoint"][
        "hubspot GET /form-integrations/v1/submissions/forms/{formGuid}"] == 3


def test_submission_listing_errors(client):
    new_form(client, guid="form-1")
    too_many = client.hubspot("GET", f"{SUBMISSIONS}/form-1", params={"limit": 51})
    assert too_many.status_code == 400
    assert too_many.json()["category"] == "VALIDATION_ERROR"
    bad_after = client.hubspot("GET", f"{SUBMISSIONS}/form-1", params={"after": "nope"})
    assert bad_after.status_code == 400
    unknown = client.hubspot("GET", f"{SUBMISSIONS}/no-such-form")
    assert unknown.status_code == 404 and unknown.json()["category"] == "OBJECT_NOT_FOUND"
    no_token = client.http.get(f"{client.url}/hubspot{SUBMISSIONS}/form-1", timeout=10)
    assert no_token.status_code == 401


def test_a_submission_creates_or_updates_the_contact(client):
    form = new_form(client)
    submit(client, form["guid"], values={"email": "Nia@Customer.example", "firstname": "Nia",
                                         "company": "Acme"})
    contacts = client.state("hubspot")["hubspot"]["contacts"]
    (contact,) = [c["properties"] for c in contacts]
    assert (contact["email"], contact["firstname"], contact["company"]) == (
        "nia@customer.example", "Nia", "Acme")
    submit(client, form["guid"], values={"email": "nia@customer.example", "company": "Globex"})
    state = client.state("hubspot")["hubspot"]
    (contact,) = [c["properties"] for c in state["contacts"]]
    assert (contact["firstname"], contact["company"]) == ("Nia", "Globex")
    (listed,) = state["forms"]
    assert listed["name"] == "Sign-up" and len(listed["submissions"]) == 2
    # a value that is not one of the form's fields, or no e-mail, is refused
    assert control(client, f"hubspot/forms/{form['guid']}/submissions",
                   {"values": {"email": "x@y.example", "shoe": "9"}}).status_code == 400
    assert control(client, f"hubspot/forms/{form['guid']}/submissions",
                   {"values": {"firstname": "X"}}).status_code == 400
    assert control(client, "hubspot/forms/nope/submissions",
                   {"values": {"email": "x@y.example"}}).status_code == 404


def test_the_demo_has_the_sign_up_form(client):
    client.seed("demo")
    (form,) = client.state("hubspot")["hubspot"]["forms"]
    assert form == {"guid": "0c6d3a5e-8b1f-4d2a-9e7c-5a4b3c2d1e0f", "name": "Webinar sign-up",
                    "fields": ["email", "firstname", "lastname", "company",
                               "message"], "submissions": []}


# ---------------------------------------------------------------------------------- actions
class ActionApp:
    """The app's action URL: checks both signatures with its own code, answers ``answer``."""

    def __init__(self, secret: str, answer: dict):
        self.secret = secret
        self.answer = answer
        self.requests: list[dict] = []
        app = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                raw = self.rfile.read(int(self.headers["Content-Length"]))
                url = f"http://127.0.0.1:{self.server.server_port}{self.path}"
                app.requests.append({"headers": dict(self.headers), "raw": raw,
                                     "valid": app.valid(self.headers, url, raw)})
                out = json.dumps(app.answer).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hubspot/action"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def valid(self, headers, url: str, raw: bytes) -> dict:
        checks = {}
        if "X-HubSpot-Signature" in headers:
            v2 = hashlib.sha256(self.secret.encode() + b"POST" + url.encode() + raw).hexdigest()
            checks["v2"] = (headers["X-HubSpot-Signature"] == v2
                            and headers["X-HubSpot-Signature-Version"] == "v2")
        if "X-HubSpot-Signature-v3" in headers:
            ts = headers["X-HubSpot-Request-Timestamp"]
            mac = hmac.new(self.secret.encode(), b"POST" + url.encode() + raw + ts.encode(),
                           hashlib.sha256).digest()
            checks["v3"] = headers["X-HubSpot-Signature-v3"] == base64.b64encode(mac).decode()
        return checks

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def blocking_app(client):
    app = ActionApp(client.creds["hubspot"]["client_secret"],
                    {"outputFields": {"hs_execution_state": "BLOCK"}})
    yield app
    app.close()


def contact(client, email="nia@customer.example"):
    response = client.hubspot("POST", "/crm/v3/objects/contacts/batch/upsert", json={
        "inputs": [{"id": email, "idProperty": "email",
                    "properties": {"firstname": "Nia", "lastname": "Nye"}}]})
    assert response.status_code == 200, response.text
    return response.json()["results"][0]["id"]


def execute(client, app, **body):
    return control(client, "hubspot/workflow-actions/execute", {
        "url": app.url, "contactEmail": "nia@customer.example",
        "properties": ["email", "firstname", "lastname"],
        "inputFields": {"webinarId": "81234567008"}, **body})


def runs(client) -> dict[str, dict]:
    state = client.state("hubspot")["hubspot"]
    return {r["callbackId"]: r for r in state["workflow_action_executions"]}


def test_a_run_is_signed_blocked_and_completed_by_callback(client, blocking_app):
    contact_id = contact(client)
    response = execute(client, blocking_app)
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["status"] == 200
    assert answer["response"] == {"outputFields": {"hs_execution_state": "BLOCK"}}
    (sent,) = blocking_app.requests
    assert sent["valid"] == {"v2": True, "v3": True}
    body = json.loads(sent["raw"])
    assert body == {
        "callbackId": answer["callbackId"],
        "origin": {"portalId": int(client.creds["hubspot"]["portal_id"]),
                   "actionDefinitionId": 0},
        "object": {"objectId": int(contact_id), "objectType": "CONTACT",
                   "properties": {"email": "nia@customer.example", "firstname": "Nia",
                                  "lastname": "Nye"}},
        "inputFields": {"webinarId": "81234567008"}}
    run = runs(client)[answer["callbackId"]]
    assert (run["state"], run["email"], run["inputFields"]) == (
        "blocked", "nia@customer.example", {"webinarId": "81234567008"})
    assert run["completed_at"] is None

    path = f"{ACTIONS}/callbacks/{answer['callbackId']}/complete"
    missing_state = client.hubspot("POST", path, json={"outputFields": {}})
    assert missing_state.status_code == 400
    bad_state = client.hubspot("POST", path,
                               json={"outputFields": {"hs_execution_state": "MAYBE"}})
    assert bad_state.status_code == 400
    done = client.hubspot("POST", path, json={"outputFields": {
        "hs_execution_state": "SUCCESS", "registrantId": "abc"}})
    assert done.status_code == 204, done.text
    run = runs(client)[answer["callbackId"]]
    assert run["state"] == "completed" and run["completed_at"]
    assert run["outputFields"] == {"hs_execution_state": "SUCCESS", "registrantId": "abc"}
    again = client.hubspot("POST", path,
                           json={"outputFields": {"hs_execution_state": "SUCCESS"}})
    assert again.status_code == 400 and again.json()["category"] == "VALIDATION_ERROR"
    unknown = client.hubspot("POST", f"{ACTIONS}/callbacks/ap-1-2-3/complete",
                             json={"outputFields": {"hs_execution_state": "SUCCESS"}})
    assert unknown.status_code == 404
    no_token = client.http.post(f"{client.url}/hubspot{path}", timeout=10,
                                json={"outputFields": {"hs_execution_state": "SUCCESS"}})
    assert no_token.status_code == 401


def test_callbacks_complete_in_a_batch(client, blocking_app):
    contact(client)
    ids = [execute(client, blocking_app).json()["callbackId"] for _ in range(2)]
    inputs = [{"callbackId": c, "outputFields": {"hs_execution_state": "FAIL_CONTINUE"}}
              for c in ids]
    with_unknown = inputs + [{"callbackId": "ap-0-0-0",
                              "outputFields": {"hs_execution_state": "SUCCESS"}}]
    refused = client.hubspot("POST", f"{ACTIONS}/callbacks/complete",
                             json={"inputs": with_unknown})
    assert refused.status_code == 404
    assert {runs(client)[c]["state"] for c in ids} == {"blocked"}  # all or nothing
    done = client.hubspot("POST", f"{ACTIONS}/callbacks/complete", json={"inputs": inputs})
    assert done.status_code == 204, done.text
    assert {runs(client)[c]["state"] for c in ids} == {"completed"}


@pytest.mark.parametrize("signature", ["v2", "v3"])
def test_a_run_may_carry_one_signature_and_another_secret(client, signature):
    app = ActionApp("another-secret", {"outputFields": {"hs_execution_state": "SUCCESS"}})
    try:
        contact(client)
        answer = execute(client, app, signature=signature, secret="another-secret",
                         portalId=77, actionDefinitionId=9).json()
        (sent,) = app.requests
        assert sent["valid"] == {signature: True}
        assert json.loads(sent["raw"])["origin"] == {"portalId": 77, "actionDefinitionId": 9}
        assert runs(client)[answer["callbackId"]]["state"] == "completed"
    finally:
        app.close()


def test_a_run_needs_a_known_contact_and_a_reachable_app(client, blocking_app):
    assert execute(client, blocking_app).status_code == 404
    contact(client)
    assert execute(client, blocking_app, signature="v4").status_code == 400
    assert execute(client, blocking_app, url="ftp://x").status_code == 400
    gone = execute(client, blocking_app, url="http://127.0.0.1:9/action")
    assert gone.status_code == 200 and gone.json()["status"] is None
    assert runs(client)[gone.json()["callbackId"]]["state"] == "failed"


# ---------------------------------------------------------------------------------- definitions
DEFINITION = {
    "actionUrl": "https://app.example/hubspot/action",
    "objectTypes": ["CONTACT"],
    "inputFields": [{"typeDefinition": {"name": "webinarId", "type": "string",
                                        "fieldType": "text"},
                     "supportedValueTypes": ["STATIC_VALUE"], "isRequired": True}],
    "labels": {"en": {"actionName": "Register for a Zoom webinar"}},
    "published": True,
}


def test_action_definitions_are_created_listed_and_updated(client):
    hubspot = client.creds["hubspot"]
    path = f"{ACTIONS}/{hubspot['app_id']}"
    key = {"hapikey": hubspot["developer_api_key"]}
    created = client.http.post(f"{client.url}/hubspot{path}", params=key, json=DEFINITION,
                               timeout=10)
    assert created.status_code == 201, created.text
    definition = created.json()
    assert definition["actionUrl"] == DEFINITION["actionUrl"] and definition["id"]
    listed = client.http.get(f"{client.url}/hubspot{path}", params=key, timeout=10).json()
    assert [d["id"] for d in listed["results"]] == [definition["id"]]
    updated = client.http.patch(f"{client.url}/hubspot{path}/{definition['id']}", params=key,
                                json={"actionUrl": "https://app.example/v2/action"},
                                timeout=10)
    assert updated.status_code == 200, updated.text
    assert updated.json()["actionUrl"] == "https://app.example/v2/action"
    assert updated.json()["labels"] == DEFINITION["labels"]
    state = client.state("hubspot")["hubspot"]["workflow_action_definitions"]
    assert [d["actionUrl"] for d in state] == ["https://app.example/v2/action"]

    wrong_key = client.http.post(f"{client.url}/hubspot{path}", params={"hapikey": "nope"},
                                 json=DEFINITION, timeout=10)
    assert wrong_key.status_code == 401
    assert client.http.get(f"{client.url}/hubspot{path}", timeout=10).status_code == 401
    no_labels = {k: v for k, v in DEFINITION.items() if k != "labels"}
    assert client.http.post(f"{client.url}/hubspot{path}", params=key, json=no_labels,
                            timeout=10).status_code == 400
    bad_url = {**DEFINITION, "actionUrl": "ftp://app.example"}
    assert client.http.post(f"{client.url}/hubspot{path}", params=key, json=bad_url,
                            timeout=10).status_code == 400
    missing = client.http.patch(f"{client.url}/hubspot{path}/999", params=key,
                                json={"published": False}, timeout=10)
    assert missing.status_code == 404
