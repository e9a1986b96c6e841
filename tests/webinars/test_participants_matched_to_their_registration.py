"""A participant is matched to their registration as Zoom allows: by the registrant id the
participant report gives when asked, else by e-mail whatever its case. Someone who registered
with one address and joined with another stays one person, who attended — not a no-show plus
a new contact."""

import pytest

from contacts.models import Activity, Contact
from tests.scenarios import HOST, past_webinar, sync_one, world
from tests.webinars.test_contact_timeline_entries import records

pytestmark = pytest.mark.django_db

WEBINAR_ID = 81234567890
EVENT = f"zoom-webinar-{WEBINAR_ID}"
ALICE, BOB = "alice@customer.example", "bob@customer.example"
BOB_AT_HOME = "bob.baker@home.example"


def kinds(email: str) -> set[str]:
    return set(Activity.objects.filter(contact__email=email).values_list("kind", flat=True))


def test_a_participant_is_their_registration_whatever_address_they_joined_with(sandbox,
                                                                                linked):
    account, _ = linked
    sandbox.seed("custom", **world(past_webinar(
        registrants=[{"email": ALICE, "first_name": "Alice", "status": "approved"},
                     {"email": BOB, "first_name": "Bob", "status": "approved"}],
        participants=[
            # joined without her personal link: Zoom knows no registrant id, only an address
            # typed with other capitals
            ({"name": "Alice A.", "user_email": "Alice@Customer.EXAMPLE"}, 0, 45),
            # joined from his registration link, signed in to Zoom with his own address
            ({"registrant_email": BOB, "user_email": BOB_AT_HOME, "name": "Bob"}, 5, 35),
            # the host, whom the report names by Zoom user id only
            ({"id": HOST["id"], "user_email": HOST["email"], "name": "Hana Host"}, 0, 60),
        ])))
    webinar, run = sync_one(account, WEBINAR_ID)

    contacts = sandbox.hubspot_contacts()
    assert set(contacts) == {ALICE, BOB}
    assert set(Contact.objects.values_list("email", flat=True)) == {ALICE, BOB}
    for email, minutes in ((ALICE, "45.0"), (BOB, "30.0")):
        assert contacts[email]["zoomsync_webinars_attended"] == "1", email
        assert contacts[email]["zoomsync_avg_attendance_minutes"] == minutes, email
        assert set(records(sandbox, EVENT, email)) == {"register", "attend"}, email
        assert kinds(email) == {Activity.Kind.WEBINAR_REGISTERED,
                                Activity.Kind.WEBINAR_ATTENDED}, email
    assert not records(sandbox, EVENT, BOB_AT_HOME)
    sessions = {s.email: s for s in webinar.instances.get().sessions.select_related(
        "registrant")}
    assert sessions[ALICE].registrant.email == ALICE
    # the address he joined with is kept beside his registration
    assert sessions[BOB_AT_HOME].registrant.email == BOB
    assert sessions[HOST["email"]].contact is None
