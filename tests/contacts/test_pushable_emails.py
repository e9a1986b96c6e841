"""Who becomes a HubSpot contact: every valid e-mail seen, lower-cased and once, minus guests
without an e-mail and excluded domains (their subdomains too). Invalid addresses are reported
with the reason, and become no contact."""

import pytest

from contacts.models import Contact
from contacts.services.people import email_normalise, email_problem, people_identify
from integrations.models import SyncSettings

EXCLUDED = {"competitor.example"}
LONG = "x" * 238 + "@customer.example"  # 255 characters


@pytest.mark.parametrize(("email", "problem"), [
    ("alice@customer.example", ""),
    ("a@b.co", ""),
    ('"a@b"@customer.example', ""),  # a quoted local part may hold an @
    (LONG[1:], ""),  # 254 characters
    (LONG, "longer than 254 characters"),
    ("", "no e-mail address"),
    ("iphone caller", "not a valid e-mail address"),
    ("a@b@c", "not a valid e-mail address"),
    ("foo@", "not a valid e-mail address"),
    ("@bar.com", "not a valid e-mail address"),
    ("spaces in@x.com", "not a valid e-mail address"),
    ("a..b@customer.example", "not a valid e-mail address"),
    ("someone@localhost", "not a valid e-mail address"),
])
def test_which_addresses_are_valid_emails(email, problem):
    assert email_problem(email) == problem


def test_addresses_are_trimmed_and_lower_cased():
    assert email_normalise("  Bob@Customer.Example\t") == "bob@customer.example"
    assert email_normalise(None) == ""


@pytest.mark.django_db
@pytest.mark.parametrize(("email", "contact"), [
    ("alice@customer.example", True),
    ("spy@competitor.example", False),
    ("spy@eu.competitor.example", False),  # a subdomain of an excluded domain
    ("fan@notcompetitor.example", True),  # only the same name ends it, not the same letters
    ("spy@competitor.example.org", True),
    ('"a@b"@competitor.example', False),  # the domain is after the last @
])
def test_excluded_domains_become_no_contact(email, contact):
    people = people_identify(emails={email}, excluded_domains=EXCLUDED)
    assert (email in people.contact_ids) is contact
    assert people.problems == {}


@pytest.mark.django_db
def test_with_no_exclusions_every_valid_address_is_a_contact():
    people = people_identify(emails={"spy@competitor.example"}, excluded_domains=set())
    assert list(people.contact_ids) == ["spy@competitor.example"]


@pytest.mark.django_db
def test_contacts_are_created_once_per_address_and_invalid_ones_never():
    existing = Contact.objects.create(email="bob@customer.example")
    people = people_identify(emails={"bob@customer.example", "alice@customer.example", "",
                                     "spy@competitor.example", "a@b@c", LONG},
                             excluded_domains=EXCLUDED)
    assert sorted(people.contact_ids) == ["alice@customer.example", "bob@customer.example"]
    assert people.contact_ids["bob@customer.example"] == existing.pk
    assert people.contact_ids["alice@customer.example"] == Contact.objects.get(
        email="alice@customer.example").pk
    assert people.problems == {"a@b@c": "not a valid e-mail address",
                               LONG: "longer than 254 characters"}
    assert Contact.objects.count() == 2
    again = people_identify(emails={"alice@customer.example"}, excluded_domains=EXCLUDED)
    assert again.contact_ids == {"alice@customer.example":
                                 people.contact_ids["alice@customer.example"]}
    assert Contact.objects.count() == 2


@pytest.mark.django_db
def test_only_leads_become_contacts_but_every_address_is_checked():
    people = people_identify(emails={"host@acme.example", "alice@customer.example", "foo@"},
                             leads={"alice@customer.example"}, excluded_domains=set())
    assert list(people.contact_ids) == ["alice@customer.example"]
    assert list(people.problems) == ["foo@"]
    assert not Contact.objects.filter(email="host@acme.example").exists()


@pytest.mark.django_db
def test_the_settings_exclusions_apply_when_none_are_given():
    settings = SyncSettings.get_solo()
    settings.contact_exclusion_domains = "competitor.example"
    settings.save()
    people = people_identify(emails={"spy@competitor.example", "alice@customer.example"})
    assert list(people.contact_ids) == ["alice@customer.example"]
    assert people_identify(emails=set()).contact_ids == {}
