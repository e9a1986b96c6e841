"""A name longer than our contact page keeps (100 characters, the column's length on
PostgreSQL) does not fail the sync: HubSpot gets the whole name, the contact page its first
100 characters."""

import pytest

from contacts.models import Contact
from tests.scenarios import past_webinar, sync_one, world

pytestmark = pytest.mark.django_db

LONG_FIRST = ("Maximiliana" * 10, "Nowak")  # 110 characters, then a short last name
LONG_LAST = ("Ana", "Kowalczykowska" * 10)  # a short first name, then 140 characters


def test_names_longer_than_100_characters_are_cut_on_the_contact_page_only(sandbox, linked):
    account, _ = linked
    people = {"first@crowd.example": LONG_FIRST, "last@crowd.example": LONG_LAST}
    sandbox.seed("custom", **world(past_webinar(participants=[
        ({"user_email": email, "name": " ".join(name)}, 0, 30)
        for email, name in people.items()])))
    sync_one(account, 81234567890)

    in_hubspot = sandbox.hubspot_contacts()
    for email, (first, last) in people.items():
        contact = Contact.objects.get(email=email)
        assert (contact.first_name, contact.last_name) == (first[:100], last[:100])
        assert (in_hubspot[email]["firstname"], in_hubspot[email]["lastname"]) == (first, last)

