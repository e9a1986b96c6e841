"""A contact pushed before and changed since (a new registration) is read again and upserted
with the same care as a new one: HubSpot's own values kept, nothing claimed as created by us,
and our mirror pointing at the right HubSpot record."""

import pytest

from contacts.models import Contact
from integrations.hubspot.client import HubSpotClient
from tests.scenarios import sync_one, upcoming_webinar, world

pytestmark = pytest.mark.django_db


def test_a_changed_contact_is_read_again_and_keeps_hubspots_values(sandbox, linked):
    account, _ = linked
    alice = {"email": "alice@customer.example", "first_name": "Alice", "last_name": "Archer",
             "org": "New Co", "status": "approved"}
    nameless = {"email": "nameless@customer.example", "status": "approved"}
    sandbox.seed("custom", **world(
        upcoming_webinar(registrants=[alice, nameless]),
        upcoming_webinar(webinar_id=88888888888, topic="Second webinar", days_ahead=9,
                         registrants=[alice]),
        hubspot_contacts=[{"email": "alice@customer.example",
                           "properties": {"firstname": "Al"}}],
    ))
    sync_one(account, 89876543210)
    # someone fills in more of Alice's record in HubSpot
    HubSpotClient(access_token=sandbox.credentials()["hubspot"]["token"]).upsert_contacts([{
        "email": "alice@customer.example",
        "properties": {"company": "Typed Co", "city": "Paris"}}])

    sandbox.reset_calls()
    sync_one(account, 88888888888)  # Alice's roll-ups change: she is pushed again
    calls = sandbox.hubspot_calls()
    assert calls["hubspot POST /crm/v3/objects/contacts/batch/read"] == 1
    assert calls["hubspot POST /crm/v3/objects/contacts/batch/upsert"] == 1
    contact = sandbox.hubspot_contacts()["alice@customer.example"]
    assert contact["zoomsync_webinar_registrations"] == "2"
    assert (contact["firstname"], contact["company"], contact["city"]) == (
        "Al", "Typed Co", "Paris")
    assert contact["lastname"] == "Archer"
    assert contact.get("zoomsync_source") in (None, "")  # HubSpot had her before us

    mirrored = Contact.objects.get(email="alice@customer.example")
    assert mirrored.hubspot_id == contact["hs_object_id"]
    assert not mirrored.created_by_sync and mirrored.pushed_at is not None
    nameless_contact = Contact.objects.get(email="nameless@customer.example")
    assert (nameless_contact.first_name, nameless_contact.last_name) == ("", "")
    assert nameless_contact.hubspot_id == sandbox.hubspot_contacts()[
        "nameless@customer.example"]["hs_object_id"]
