"""A contact HubSpot created for us stays "created by sync" when its creation is repeated:
after a run that died before writing down HubSpot's answers, and when the answer to the
creating call was lost and the retry found the contact made."""

import pytest

from contacts.models import Contact
from integrations.models import SyncRun
from tests.integrations.test_clients import control
from tests.scenarios import past_webinar, sync_one, world
from webinars.services.sync import webinar_sync

pytestmark = pytest.mark.django_db

CONTACT_UPSERTS = "/crm/v3/objects/contacts/batch/upsert"


def person(i: int) -> dict:
    return {"email": f"p{i:03d}@crowd.example", "first_name": f"P{i}", "last_name": "Crowd",
            "status": "approved"}


def sync(webinar):
    return webinar_sync(webinar=webinar, trigger="test")


def test_contacts_created_by_a_run_that_lost_the_answers_stay_ours(sandbox, linked):
    account, _ = linked
    sandbox.seed("custom", **world(past_webinar(registrants=[person(i) for i in range(30)])))
    webinar, _ = sync_one(account, 81234567890)
    # as if the run had died after HubSpot created them, before it wrote down the answers
    Contact.objects.update(hubspot_id="", pushed_hash="", created_by_sync=False)
    run = sync(webinar)
    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    assert Contact.objects.filter(created_by_sync=True).count() == 30
    contacts = sandbox.hubspot_contacts()
    assert len(contacts) == 30
    assert {c["zoomsync_source"] for c in contacts.values()} == {"Zoom Integration"}


def test_a_contact_whose_creation_answer_was_lost_stays_ours(sandbox, linked):
    account, _ = linked
    sandbox.seed("custom", **world(past_webinar(registrants=[person(i) for i in range(30)])))
    # the upsert that creates them arrives, its answer does not; the retry finds them made
    control(sandbox, "faults", {"reset_after_apply_rate": 0.5, "paths": [CONTACT_UPSERTS],
                                "seed": 7})
    sync_one(account, 81234567890)
    assert sandbox.calls()["faults"]["reset_after_apply"] > 0
    assert Contact.objects.filter(created_by_sync=True).count() == 30
