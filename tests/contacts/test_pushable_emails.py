"""Who becomes a HubSpot contact: every e-mail seen, lower-cased and once, minus guests without
an e-mail and excluded domains (their subdomains too)."""

import pytest

from contacts.models import Contact
from contacts.services.people import contacts_ensure, email_is_pushable
from integrations.models import SyncSettings

EXCLUDED = {"competitor.example"}


@pytest.mark.parametrize(("email", "pushable"), [
    ("alice@customer.example", True),
    ("", False),
    ("iphone caller", False),
    ("spy@competitor.example", False),
    ("spy@eu.competitor.example", False),  # a subdomain of an excluded domain
    ("fan@notcompetitor.example", True),  # only the same name ends it, not the same letters
    ("spy@competitor.example.org", True),
    ('"a@b"@competitor.example', False),  # the domain is after the last @
])
def test_which_emails_are_pushable(email, pushable):
    assert email_is_pushable(email, excluded_domains=EXCLUDED) is pushable


def test_with_no_exclusions_every_address_is_pushable():
    assert email_is_pushable("spy@competitor.example", excluded_domains=set())


@pytest.mark.django_db
def test_contacts_are_created_once_per_lower_cased_email():
    existing = Contact.objects.create(email="bob@customer.example")
    ids = contacts_ensure(emails={"Bob@Customer.example", "alice@customer.example",
                                  "ALICE@customer.example", "", "spy@competitor.example"},
                          excluded_domains=EXCLUDED)
    assert sorted(ids) == ["alice@customer.example", "bob@customer.example"]
    assert ids["bob@customer.example"] == existing.pk
    assert ids["alice@customer.example"] == Contact.objects.get(
        email="alice@customer.example").pk
    assert Contact.objects.count() == 2
    assert contacts_ensure(emails={"alice@customer.example"}, excluded_domains=EXCLUDED) == {
        "alice@customer.example": ids["alice@customer.example"]}
    assert Contact.objects.count() == 2


@pytest.mark.django_db
def test_the_settings_exclusions_apply_when_none_are_given():
    settings = SyncSettings.get_solo()
    settings.contact_exclusion_domains = "competitor.example"
    settings.save()
    ids = contacts_ensure(emails={"spy@competitor.example", "alice@customer.example"})
    assert list(ids) == ["alice@customer.example"]
    assert contacts_ensure(emails=set()) == {}
