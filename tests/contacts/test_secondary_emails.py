"""A registrant whose address HubSpot holds as another contact's secondary e-mail updates
that contact (with "match secondary e-mails" on) instead of becoming a new one."""

import pytest

from contacts.models import Contact
from integrations.models import SyncSettings
from tests.scenarios import sync_one, upcoming_webinar, world

WEBINAR_ID = 89876543210
EVENT_ID = f"zoom-webinar-{WEBINAR_ID}"
KIM = {"email": "kim.private@mail.example", "first_name": "Kim", "last_name": "Park"}
NEW = {"email": "newcomer@customer.example", "first_name": "Nia"}
KIM_AT_WORK = {"email": "kim@customer.example",
               "properties": {"firstname": "Kimberly",
                              "hs_additional_emails": "kim.old@x.example;kim.private@mail.example"}}


@pytest.fixture
def seeded(sandbox, linked):
    sandbox.seed("custom", **world(upcoming_webinar(webinar_id=WEBINAR_ID,
                                                    registrants=[KIM, NEW]),
                                   hubspot_contacts=[KIM_AT_WORK]))
    return linked[0]


def test_a_secondary_e_mail_updates_the_contact_that_has_it(sandbox, seeded):
    _, run = sync_one(seeded, WEBINAR_ID)

    contacts = sandbox.hubspot_contacts()
    assert set(contacts) == {"kim@customer.example", NEW["email"]}
    kim = contacts["kim@customer.example"]
    assert kim["zoomsync_webinar_registrations"] == "1"
    assert kim["firstname"] == "Kimberly"  # only empty fields are filled
    assert "zoomsync_source" not in kim  # not a contact we created
    assert run.counts["contacts_created"] == 1
    mirror = Contact.objects.get(email=KIM["email"])
    assert mirror.hubspot_id == kim["hs_object_id"]
    # the registration is recorded on that contact, not on a new one
    event = sandbox.marketing_events()[EVENT_ID]
    assert sorted((a["email"], a["state"]) for a in event["attendance"]) == [
        ("kim@customer.example", "register"), (NEW["email"], "register")]


def test_a_second_sync_finds_the_same_contact_and_writes_nothing(sandbox, seeded):
    sync_one(seeded, WEBINAR_ID)
    sandbox.reset_calls()

    sync_one(seeded, WEBINAR_ID)
    assert set(sandbox.hubspot_contacts()) == {"kim@customer.example", NEW["email"]}
    calls = sandbox.hubspot_calls()
    assert not any("upsert" in name or "attendance" in name for name in calls), calls


def test_with_matching_off_the_address_becomes_a_contact_of_its_own(sandbox, seeded):
    settings = SyncSettings.get_solo()
    settings.match_secondary_emails = False
    settings.save()

    _, run = sync_one(seeded, WEBINAR_ID)
    assert set(sandbox.hubspot_contacts()) == {"kim@customer.example", KIM["email"],
                                               NEW["email"]}
    assert run.counts["contacts_created"] == 2
    assert not any("search" in name for name in sandbox.hubspot_calls())
