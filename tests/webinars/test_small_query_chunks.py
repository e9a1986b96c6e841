"""A sync whose database reads are cut into chunks of 2 rows (the product reads a few thousand
at a time): what reaches HubSpot is the same as in one chunk — every person, registration and
attendance exactly once — and a second sync sends nothing. Shows in a few records what a
webinar of thousands would show at the real chunk size."""

import pytest

from contacts.models import Contact
from contacts.services import hubspot_contacts, people, rollups
from tests.scenarios import past_webinar, sync_one, world
from webinars.services import hubspot_attendance, timeline

pytestmark = pytest.mark.django_db

RECORD = ("hubspot POST /marketing/v3/marketing-events/attendance/{externalEventId}/"
          "{subscriberState}/email-create")
CHUNKED = [people, hubspot_contacts, rollups, timeline, hubspot_attendance]


@pytest.fixture(autouse=True)
def chunks_of_two(monkeypatch, settings):
    for module in CHUNKED:
        monkeypatch.setattr(module, "QUERY_CHUNK", 2)
    settings.HUBSPOT_BATCH_SIZE = 2


def person(i: int) -> dict:
    return {"email": f"p{i}@crowd.example", "first_name": f"P{i}", "last_name": "Crowd",
            "status": "approved"}


def test_every_record_reaches_hubspot_once_across_chunks(sandbox, linked):
    account, _ = linked
    sandbox.seed("custom", **world(past_webinar(
        registrants=[person(i) for i in range(5)],
        participants=[(f"p{i}@crowd.example", 0, 30) for i in range(4)]
        + [("p0@crowd.example", 40, 50)])))
    sandbox.reset_calls()
    webinar, run = sync_one(account, 81234567890)

    contacts = sandbox.hubspot_contacts()
    assert sorted(contacts) == [f"p{i}@crowd.example" for i in range(5)]
    assert [contacts[f"p{i}@crowd.example"]["zoomsync_webinars_attended"]
            for i in range(5)] == ["1", "1", "1", "1", "0"]
    assert [contacts[f"p{i}@crowd.example"]["firstname"] for i in range(5)] == [
        f"P{i}" for i in range(5)]
    event = sandbox.marketing_events()["zoom-webinar-81234567890"]
    assert sorted((a["email"], a["state"]) for a in event["attendance"]) == sorted(
        [(f"p{i}@crowd.example", "register") for i in range(5)]
        + [(f"p{i}@crowd.example", "attend") for i in range(4)])
    assert sandbox.hubspot_calls()[RECORD] == 3 + 2  # 2 + 2 + 1 registrations, 2 + 2 attended
    assert run.counts["attendance_recorded"] == 9 and run.counts["contacts_created"] == 5
    assert webinar.registrants.filter(contact__isnull=True).count() == 0

    sandbox.reset_calls()
    _, again = sync_one(account, 81234567890)
    writes = {k: n for k, n in sandbox.hubspot_calls().items() if " GET " not in k
              and "batch/read" not in k}
    assert writes == {} and again.counts["attendance_recorded"] == 0


def test_each_chunk_of_people_gets_its_own_timeline_and_rollups(sandbox, linked):
    account, _ = linked
    sandbox.seed("custom", **world(past_webinar(
        registrants=[person(i) for i in range(5)],
        participants=[("p4@crowd.example", 0, 60)])))
    sync_one(account, 81234567890)
    by_email = {c.email: c for c in Contact.objects.all()}
    assert len(by_email) == 5
    assert {e: (c.webinar_registrations, c.webinars_attended) for e, c in by_email.items()} == {
        **{f"p{i}@crowd.example": (1, 0) for i in range(4)}, "p4@crowd.example": (1, 1)}
    assert sorted(a.kind for a in by_email["p4@crowd.example"].activities.all()) == [
        "webinar_attended", "webinar_registered"]
    assert all(sorted(a.kind for a in by_email[f"p{i}@crowd.example"].activities.all())
               == ["webinar_no_show", "webinar_registered"] for i in range(4))
