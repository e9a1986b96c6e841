"""Roll-ups a contact does not have yet are left out of the upsert: an empty value would clear
what HubSpot already shows (another tool's value, or one typed in by hand)."""

import pytest

from integrations.hubspot.client import HubSpotClient
from tests.scenarios import sync_one, upcoming_webinar, world

pytestmark = pytest.mark.django_db


def test_an_empty_rollup_never_clears_hubspots_value(sandbox, linked):
    account, _ = linked
    alice = {"email": "alice@customer.example", "first_name": "Alice", "status": "approved"}
    sandbox.seed("custom", **world(
        upcoming_webinar(registrants=[alice]),
        upcoming_webinar(webinar_id=88888888888, topic="Second webinar", days_ahead=9,
                         registrants=[alice]),
    ))
    sync_one(account, 89876543210)
    # someone types a value into HubSpot by hand
    HubSpotClient(access_token=sandbox.credentials()["hubspot"]["token"]).upsert_contacts([{
        "email": "alice@customer.example",
        "properties": {"zoomsync_last_attended_webinar": "Typed in by hand"}}])

    sync_one(account, 88888888888)  # Alice's roll-ups change: she is pushed again
    contact = sandbox.hubspot_contacts()["alice@customer.example"]
    assert contact["zoomsync_webinar_registrations"] == "2"
    assert contact["zoomsync_webinars_attended"] == "0"  # zero is a value: it is sent
    assert contact["zoomsync_last_attended_webinar"] == "Typed in by hand"
