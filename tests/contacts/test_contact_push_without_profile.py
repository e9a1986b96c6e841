"""A contact the source knows nothing about but its e-mail (say, an attendee who joined
without a name and never registered) still reaches HubSpot, with its roll-ups."""

import pytest

from contacts.models import Contact
from contacts.services.hubspot_contacts import ContactReadAhead, contacts_push
from contacts.services.hubspot_properties import hubspot_properties_ensure
from integrations.services.clients import hubspot_client_for

pytestmark = pytest.mark.django_db


def test_a_contact_without_a_profile_is_pushed_with_its_email_and_rollups(sandbox, linked):
    _, portal = linked
    contact = Contact.objects.create(email="quiet@customer.example", webinars_attended=1)
    client = hubspot_client_for(portal=portal)
    hubspot_properties_ensure(client=client, portal=portal)

    stats = contacts_push(client=client, contact_ids=[contact.pk], profiles=lambda ids: {},
                          read_ahead=ContactReadAhead(client))

    assert stats == {"contacts_pushed": 1, "contacts_created": 1}
    pushed = sandbox.hubspot_contacts()["quiet@customer.example"]
    assert pushed["zoomsync_webinars_attended"] == "1"
    assert pushed["zoomsync_source"] == "Zoom Integration"
    assert not pushed.get("firstname")
