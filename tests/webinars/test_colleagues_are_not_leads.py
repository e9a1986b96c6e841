"""The users of our own Zoom account — the host and colleagues — are not the audience: a
colleague who joins a webinar or registers for it is never a HubSpot contact, never counted
as an attendee or registrant, and has no register or attend record; the mirror keeps their
rows as "Host or internal user". Zoom's participant report does not say who belongs to the
account, so the sync knows the account's users from Zoom's user list, read at most once a
day."""

from datetime import timedelta

import pytest
from django.utils import timezone

from contacts.models import Contact
from integrations.models import ZoomAccount
from tests.scenarios import HOST, past_webinar, sync_one, world
from webinars.models import AttendanceSession, Webinar
from webinars.selectors import webinar_people_on_stage
from webinars.services.discovery import webinars_discover
from webinars.services.sync import webinar_sync

pytestmark = pytest.mark.django_db

WEBINAR_ID = 81234567890
EVENT = f"zoom-webinar-{WEBINAR_ID}"
ALICE = {"email": "alice@customer.example", "first_name": "Alice", "status": "approved"}
CARL = {"id": "colleague-user-2", "email": "carl.colleague@acme.example", "first_name": "Carl",
        "last_name": "Colleague"}
DORA = {"id": "colleague-user-3", "email": "dora.d@acme.example", "first_name": "Dora",
        "last_name": "Dev"}
ERIN = {"id": "colleague-user-4", "email": "erin.e@acme.example", "first_name": "Erin",
        "last_name": "Eng"}
USERS_LISTING = "zoom GET /v2/users"


def seed(sandbox, *, registrants=(ALICE,), participants=()):
    data = world(past_webinar(webinar_id=WEBINAR_ID, registrants=list(registrants),
                              participants=[(ALICE["email"], 0, 60), *participants]))
    data["users"] = [HOST, CARL, DORA, ERIN]
    sandbox.seed("custom", **data)


def attendance(sandbox) -> list[tuple[str, str]]:
    return sorted((a["email"], a["state"]) for a in
                  sandbox.marketing_events()[EVENT]["attendance"])


def roles(webinar) -> dict[str, set]:
    found: dict[str, set] = {}
    for row in AttendanceSession.objects.filter(instance__webinar=webinar):
        found.setdefault(row.email or row.name, set()).add(
            (AttendanceSession.Role(row.role).label, row.contact_id))
    return found


def test_a_colleague_who_joins_is_neither_contact_nor_attendee(sandbox, linked):
    account, _ = linked
    seed(sandbox, participants=[
        # signed in to Zoom; the address as Zoom shows it, in other capitals
        ({"signed_in_as": CARL["id"], "user_email": "Carl.Colleague@ACME.example"}, 2, 30),
        ({"signed_in_as": CARL["id"], "user_email": "Carl.Colleague@ACME.example"}, 35, 55),
        # not signed in, known by the address she typed
        ({"id": "", "user_email": "DORA.D@acme.example", "name": "Dora"}, 0, 60),
        # signed in, with no address in the report: known by her Zoom user id
        ({"signed_in_as": ERIN["id"], "user_email": ""}, 10, 20),
    ])
    webinar, run = sync_one(account, WEBINAR_ID)

    assert list(sandbox.hubspot_contacts()) == [ALICE["email"]]
    assert set(Contact.objects.values_list("email", flat=True)) == {ALICE["email"]}
    assert attendance(sandbox) == [(ALICE["email"], "attend"), (ALICE["email"], "register")]
    assert run.counts["attendees"] == 1 and run.counts["guests"] == 0
    assert run.counts["registrants"] == 1
    assert roles(webinar) == {
        ALICE["email"]: {("Attendee", Contact.objects.get().pk)},
        CARL["email"]: {("Host or internal user", None)},
        DORA["email"]: {("Host or internal user", None)},
        "Erin Eng": {("Host or internal user", None)},
    }
    on_stage = {(p.email or p.name, p.role) for p in webinar_people_on_stage(webinar=webinar)}
    assert (CARL["email"], "Host or internal user") in on_stage


def test_the_host_or_a_colleague_who_registered_is_no_registrant(sandbox, linked):
    account, _ = linked
    host_registration = {"email": "Host@Acme.example", "first_name": "Hana"}
    carl_registration = {"email": "CARL.Colleague@acme.example", "first_name": "Carl"}
    seed(sandbox, registrants=[ALICE, host_registration, carl_registration], participants=[
        ({"registrant_email": host_registration["email"], "signed_in_as": HOST["id"]}, 0, 60),
        ({"registrant_email": carl_registration["email"], "signed_in_as": CARL["id"]}, 5, 45),
    ])
    webinar, run = sync_one(account, WEBINAR_ID)

    assert list(sandbox.hubspot_contacts()) == [ALICE["email"]]
    assert attendance(sandbox) == [(ALICE["email"], "attend"), (ALICE["email"], "register")]
    assert run.counts["registrants"] == 1 and run.counts["attendees"] == 1
    assert run.counts["excluded"] == 0
    # kept in the mirror, linked to no contact
    assert sorted(webinar.registrants.values_list("email", "contact")) == [
        (ALICE["email"], Contact.objects.get().pk), (CARL["email"], None),
        (HOST["email"], None)]
    assert roles(webinar)[CARL["email"]] == {("Host or internal user", None)}


def test_the_account_users_are_listed_by_a_sync_when_unknown_and_then_once_a_day(sandbox,
                                                                                  linked):
    account, _ = linked
    seed(sandbox, participants=[
        ({"signed_in_as": CARL["id"], "user_email": "Carl.Colleague@ACME.example"}, 2, 30)])
    webinars_discover(account=account)
    # as the account stands after upgrading from a version that did not keep its users
    account.users.all().delete()
    ZoomAccount.objects.filter(pk=account.pk).update(users_listed_at=None)
    webinar = Webinar.objects.get(zoom_id=str(WEBINAR_ID))
    webinar.sync_enabled = True
    webinar.save()
    sandbox.reset_calls()

    first = webinar_sync(webinar=webinar, trigger="test")
    assert sandbox.calls()["by_endpoint"].get(USERS_LISTING) == 1
    assert list(sandbox.hubspot_contacts()) == [ALICE["email"]]
    assert first.counts["attendees"] == 1
    assert roles(webinar)[CARL["email"]] == {("Host or internal user", None)}

    sandbox.reset_calls()
    webinar_sync(webinar=webinar, trigger="test")
    assert USERS_LISTING not in sandbox.calls()["by_endpoint"]

    # a day later the list may be out of date: the next sync reads it again
    sandbox.reset_calls()
    ZoomAccount.objects.filter(pk=account.pk).update(
        users_listed_at=timezone.now() - timedelta(hours=25))
    webinar_sync(webinar=webinar, trigger="test")
    assert sandbox.calls()["by_endpoint"].get(USERS_LISTING) == 1
