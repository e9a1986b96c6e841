"""How a sync's HubSpot writes are batched, on a few records with a batch size of 2: contact
reads and upserts, attendance records per state, and nothing again when nothing changed."""

import pytest

from integrations.models import SyncRun
from tests.scenarios import past_webinar, sync_one, upcoming_webinar, world
from webinars.services.sync import webinar_sync

pytestmark = pytest.mark.django_db

READ = "hubspot POST /crm/v3/objects/contacts/batch/read"
UPSERT = "hubspot POST /crm/v3/objects/contacts/batch/upsert"
# new contacts: is the address another contact's secondary e-mail? (one search per batch)
SEARCH = "hubspot POST /crm/v3/objects/contacts/search"
# 111 today (with the run opened and taken for single flight, the roll-ups refreshed in a
# transaction and read again after the push, the account's own users read); a query per
# contact or per empty chunk would be many more
QUERIES = 115
RECORD = ("hubspot POST /marketing/v3/marketing-events/attendance/{externalEventId}/"
          "{subscriberState}/email-create")


def person(i: int) -> dict:
    return {"email": f"p{i}@crowd.example", "first_name": f"P{i}", "status": "approved"}


@pytest.fixture(autouse=True)
def batches_of_two(settings):
    settings.HUBSPOT_BATCH_SIZE = 2


def test_a_first_sync_sends_full_batches_then_the_rest(sandbox, linked,
                                                        django_assert_max_num_queries):
    account, _ = linked
    sandbox.seed("custom", **world(past_webinar(
        registrants=[person(i) for i in range(5)],
        participants=[(f"p{i}@crowd.example", 0, 30) for i in range(3)])))
    sandbox.reset_calls()
    # database queries come in batches: about a hundred for this sync
    with django_assert_max_num_queries(QUERIES):
        _, run = sync_one(account, 81234567890)

    calls = sandbox.hubspot_calls()
    assert (calls[READ], calls[SEARCH], calls[UPSERT]) == (3, 3, 3)  # 2 + 2 + 1 contacts
    assert calls[RECORD] == 3 + 2  # 5 registrations, then 3 attendances
    assert {k: run.counts[k] for k in ("contacts_pushed", "contacts_created",
                                       "attendance_recorded", "events_pushed",
                                       "events_completed")} == {
        "contacts_pushed": 5, "contacts_created": 5, "attendance_recorded": 8,
        "events_pushed": 1, "events_completed": 1}
    contacts = sandbox.hubspot_contacts()
    assert sorted(contacts) == [f"p{i}@crowd.example" for i in range(5)]
    assert {c["zoomsync_source"] for c in contacts.values()} == {"Zoom Integration"}
    assert [contacts[f"p{i}@crowd.example"]["zoomsync_webinars_attended"]
            for i in range(5)] == ["1", "1", "1", "0", "0"]
    event = sandbox.marketing_events()["zoom-webinar-81234567890"]
    assert sorted((a["email"], a["state"]) for a in event["attendance"]) == sorted(
        [(f"p{i}@crowd.example", "register") for i in range(5)]
        + [(f"p{i}@crowd.example", "attend") for i in range(3)])


def test_new_registrations_cost_one_call_per_batch_and_nothing_after(sandbox, linked):
    account, _ = linked
    sandbox.seed("custom", **world(upcoming_webinar(registrants=[person(i) for i in range(3)])))
    webinar, _ = sync_one(account, 89876543210)
    for i in range(3, 6):
        response = sandbox.zoom("POST", "/webinars/89876543210/registrants",
                                json={"email": f"p{i}@crowd.example", "first_name": "Late"})
        assert response.status_code == 201, response.text
    sandbox.reset_calls()

    run = webinar_sync(webinar=webinar, trigger="test")
    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    assert sandbox.hubspot_calls() == {READ: 2, SEARCH: 2, UPSERT: 2, RECORD: 2}
    assert run.counts["contacts_pushed"] == 3 and run.counts["attendance_recorded"] == 3
    assert run.counts["contacts_created"] == 3
    assert len(sandbox.hubspot_contacts()) == 6

    sandbox.reset_calls()
    run = webinar_sync(webinar=webinar, trigger="test")
    assert sandbox.hubspot_calls() == {}
    assert run.counts["contacts_pushed"] == 0 and run.counts["attendance_recorded"] == 0
