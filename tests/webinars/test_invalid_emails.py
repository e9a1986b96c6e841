"""Addresses that are not valid e-mails: kept in the mirror, counted on the run and listed in
the admin, never linked to a contact nor sent to HubSpot, and never in the way of the other
people of the webinar. Runs on SQLite and PostgreSQL (`make test-postgres`)."""

import pytest

from contacts.models import Contact
from tests.scenarios import past_webinar, sync_one, world
from webinars.models import AttendanceSession, Registrant

pytestmark = pytest.mark.django_db

ALICE = {"email": "alice@customer.example", "first_name": "Alice", "last_name": "Archer",
         "status": "approved"}
# trimmed and lower-cased on the way in
BOB = {"email": "  Bob.Baker@Customer.Example ", "first_name": "Bob", "status": "pending"}
MALFORMED = ["a@b@c", "foo@", "@bar.com", "spaces in@x.com"]
# 300 characters: over the 254 an e-mail address may have. Zoom documents registrants'
# addresses up to 128 characters; a participant's user_email is free text.
LONG_ADDRESS = "x" * 283 + "@customer.example"
VALID = {"alice@customer.example", "bob.baker@customer.example"}


@pytest.fixture
def synced(sandbox, linked, admin_client):
    account, _ = linked
    assert len(LONG_ADDRESS) == 300
    odd = [{"email": email, "first_name": f"Odd {i}", "status": "approved"}
           for i, email in enumerate(MALFORMED)]
    sandbox.seed("custom", **world(past_webinar(
        registrants=[odd[0], ALICE, odd[1], BOB, odd[2], odd[3]],
        participants=[(ALICE["email"], 0, 45), ("foo@", 5, 50),
                      ({"user_email": LONG_ADDRESS, "name": "Long Address"}, 10, 40)],
    )))
    return sync_one(account, 81234567890)


def test_invalid_addresses_stop_no_one_and_never_reach_hubspot(synced, sandbox):
    webinar, run = synced

    # every valid person is in HubSpot with their registration (and attendance) recorded
    contacts = sandbox.hubspot_contacts()
    assert set(contacts) == VALID
    assert contacts["alice@customer.example"]["zoomsync_webinars_attended"] == "1"
    assert contacts["bob.baker@customer.example"]["zoomsync_webinar_registrations"] == "1"
    event = sandbox.marketing_events()["zoom-webinar-81234567890"]
    assert {(a["email"], a["state"]) for a in event["attendance"]} == {
        ("alice@customer.example", "register"), ("alice@customer.example", "attend"),
        ("bob.baker@customer.example", "register")}
    assert event["eventCompleted"]
    assert set(Contact.objects.values_list("email", flat=True)) == VALID

    # the invalid ones are in the mirror, linked to no contact
    invalid = Registrant.objects.filter(webinar=webinar).exclude(email__in=VALID)
    assert sorted(invalid.values_list("email", flat=True)) == sorted(MALFORMED)
    assert all(r.contact_id is None and r.email_problem for r in invalid)
    long_row = AttendanceSession.objects.get(email=LONG_ADDRESS)
    assert long_row.contact_id is None and long_row.name == "Long Address"
    assert long_row.email_problem == "longer than 254 characters"
    foo_row = AttendanceSession.objects.get(email="foo@")
    assert foo_row.contact_id is None and foo_row.registrant.email == "foo@"
    assert Registrant.objects.get(email="bob.baker@customer.example").email_problem == ""

    # counted once each (foo@ registered and attended)
    assert run.counts["invalid_emails"] == 5
    assert run.counts["registrants"] == 6 and run.counts["contacts"] == 2


def test_a_sync_with_invalid_addresses_writes_nothing_the_second_time(synced, sandbox, linked):
    account, _ = linked
    sandbox.reset_calls()
    _, again = sync_one(account, 81234567890)
    writes = {k: v for k, v in sandbox.hubspot_calls().items()
              if k.startswith(("hubspot POST", "hubspot PUT")) and "batch/read" not in k}
    assert writes == {}
    assert again.counts["invalid_emails"] == 5


def test_the_admin_shows_the_count_and_lists_the_addresses(synced, admin_client):
    webinar, run = synced
    page = admin_client.get(f"/admin/integrations/syncrun/{run.pk}/change/").content.decode()
    assert "Invalid e-mails: 5" in page

    page = admin_client.get(f"/admin/webinars/webinar/{webinar.pk}/change/").content.decode()
    recent = page.split("Recent syncs", 1)[1]
    assert "Invalid e-mails: 5" in recent
    listing = page.split("Invalid e-mail addresses", 1)[1]
    for address in [*MALFORMED, LONG_ADDRESS]:
        assert address in listing, address
    assert "longer than 254 characters" in listing
    assert "alice@customer.example" not in listing
