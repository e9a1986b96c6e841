"""HubSpot is asked which new contacts exist while Zoom is still being read (so the rate limit's
budget is not left idle), and what it answers decides which profile fields are filled."""

import json

import pytest

from tests.conftest import SandboxApi
from tests.scenarios import past_webinar, sync_one, world

pytestmark = pytest.mark.django_db

READ = ("hubspot", "POST", "/crm/v3/objects/contacts/batch/read")
UPSERT = ("hubspot", "POST", "/crm/v3/objects/contacts/batch/upsert")
PARTICIPANTS = ("zoom", "GET", "/v2/report/webinars/{webinarId}/participants")


def test_new_contacts_are_read_during_the_zoom_listing(settings, tmp_path):
    from integrations.services.accounts import (
        hubspot_portal_connect_private_app,
        zoom_account_connect_s2s,
    )
    from sandbox import SandboxServer

    settings.HUBSPOT_BATCH_SIZE = 2
    record = tmp_path / "exchanges.jsonl"
    with SandboxServer(record_path=str(record)) as server:
        settings.ZOOM_OAUTH_BASE_URL = f"{server.url}/zoom"
        settings.ZOOM_API_BASE_URL = f"{server.url}/zoom/v2"
        settings.HUBSPOT_API_BASE_URL = f"{server.url}/hubspot"
        sandbox = SandboxApi(server.url)
        creds = sandbox.credentials()
        hubspot_portal_connect_private_app(token=creds["hubspot"]["token"],
                                           portal_id=creds["hubspot"]["portal_id"])
        account = zoom_account_connect_s2s(
            account_id=creds["zoom"]["account_id"], client_id=creds["zoom"]["client_id"],
            client_secret=creds["zoom"]["client_secret"],
            webhook_secret=creds["zoom"]["webhook_secret"], name="Sandbox Zoom")
        registrants = [{"email": f"p{i}@crowd.example", "first_name": "P",
                        "status": "approved"} for i in range(3)]
        sandbox.seed("custom", **world(past_webinar(
            registrants=registrants,
            participants=[("p0@crowd.example", 0, 30),
                          ({"name": "Walk-in", "user_email": "walkin@crowd.example"}, 0, 20)],
        )))
        sync_one(account, 81234567890)
        contacts = sandbox.hubspot_contacts()
    assert sorted(contacts) == ["p0@crowd.example", "p1@crowd.example", "p2@crowd.example",
                                "walkin@crowd.example"]

    exchanges = [json.loads(line) for line in record.read_text().splitlines()]
    sequence = [(x["service"], x["method"], x["template"]) for x in exchanges]
    reads = [i for i, step in enumerate(sequence) if step == READ]
    first_participants = sequence.index(PARTICIPANTS)
    first_upsert = sequence.index(UPSERT)
    # a full batch of registrants is read before the attendance is listed; the third waits
    # for a full batch with the walk-in, who did not register; nothing is read twice
    assert len(reads) == 2
    assert reads[0] < first_participants < reads[1] < first_upsert
    read_emails = [sorted(i["id"] for i in exchanges[r]["request_body"]["inputs"])
                   for r in reads]
    assert read_emails == [["p0@crowd.example", "p1@crowd.example"],
                           ["p2@crowd.example", "walkin@crowd.example"]]


def test_profile_fields_hubspot_already_has_are_kept(sandbox, linked):
    account, _ = linked
    alice = {"email": "alice@customer.example", "first_name": "Alice", "last_name": "Archer",
             "status": "approved", "org": "New Co", "job_title": "CMO"}
    sandbox.seed("custom", **world(
        past_webinar(registrants=[alice]),
        hubspot_contacts=[{"email": "alice@customer.example",
                           "properties": {"company": "Existing Co", "firstname": "Al"}}]))
    sync_one(account, 81234567890)
    contact = sandbox.hubspot_contacts()["alice@customer.example"]
    assert (contact["company"], contact["firstname"]) == ("Existing Co", "Al")
    assert (contact["jobtitle"], contact["lastname"]) == ("CMO", "Archer")  # empty: filled
