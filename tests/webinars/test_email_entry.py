"""Where people enter the mirror: each address is trimmed, lower-cased and checked once; an
invalid one is kept with its reason and linked to no contact. These call the mirror's entry
points with rows shaped like Zoom's (the sync tests get theirs from the sandbox), including a
registrant row Zoom's documented 128-character limit keeps out of the sandbox. They run on
PostgreSQL too, whose columns refuse what does not fit."""

from datetime import UTC, datetime
from importlib import import_module

import pytest
from django.apps import apps
from django.utils import timezone

from contacts.models import Contact
from tests.factories import WebinarFactory
from webinars.models import MIRROR_EMAIL_LENGTH, AttendanceSession, Registrant, WebinarInstance
from webinars.services.mirror import (
    attendance_sessions_sync_from_zoom,
    registrants_sync_from_zoom,
)

pytestmark = pytest.mark.django_db

REGISTRANT_300 = "r" * 283 + "@customer.example"
ALICE = "alice@customer.example"


def registrant_row(rid: str, email: str, **extra) -> dict:
    return {"id": rid, "email": email, "first_name": "Someone", "status": "approved",
            "create_time": "2026-11-01T09:00:00Z", "join_url": f"https://zoom.example/w/{rid}",
            **extra}


def participant_row(pid: str, email: str, minute: int = 0, **extra) -> dict:
    return {"id": pid, "name": f"Participant {pid}", "user_email": email,
            "join_time": f"2026-11-10T15:{minute:02d}:00Z",
            "leave_time": f"2026-11-10T15:{minute + 20:02d}:00Z", "duration": 1200, **extra}


def test_a_registrant_with_a_300_character_address_is_kept_and_linked_to_no_one():
    webinar = WebinarFactory()
    assert len(REGISTRANT_300) == 300
    mirrored = registrants_sync_from_zoom(webinar=webinar, excluded_domains=set(), rows=[
        registrant_row("r-long", REGISTRANT_300.upper()),
        registrant_row("r-alice", "  Alice@Customer.Example "),
        registrant_row("r-odd", "a@b@c"),
    ])
    assert mirrored.rows == 3
    alice = Contact.objects.get()
    assert mirrored.contact_ids == {ALICE: alice.pk} and alice.email == ALICE
    stored = {r.zoom_registrant_id: r for r in Registrant.objects.all()}
    assert stored["r-long"].email == REGISTRANT_300
    assert stored["r-long"].email_problem == "longer than 254 characters"
    assert stored["r-odd"].email_problem == "not a valid e-mail address"
    assert stored["r-long"].contact is None and stored["r-odd"].contact is None
    assert (stored["r-alice"].email, stored["r-alice"].email_problem) == (ALICE, "")
    assert stored["r-alice"].contact == alice

    # the same rows again (the next sync) change nothing
    registrants_sync_from_zoom(webinar=webinar, excluded_domains=set(), rows=[
        registrant_row("r-long", REGISTRANT_300)])
    assert Registrant.objects.get(zoom_registrant_id="r-long").contact is None
    assert Contact.objects.count() == 1


def test_participant_rows_are_checked_as_they_enter():
    webinar = WebinarFactory()
    registrants_sync_from_zoom(webinar=webinar, excluded_domains=set(), rows=[
        registrant_row("r-alice", ALICE), registrant_row("r-foo", "foo@")])
    instance = WebinarInstance.objects.create(
        webinar=webinar, occurrence_id="", scheduled_duration=60,
        scheduled_start=datetime(2026, 11, 10, 15, 0, tzinfo=UTC))
    way_too_long = "p" * 700 + "@customer.example"
    mirrored = attendance_sessions_sync_from_zoom(
        instance=instance, uuid="sessionUUID==", seen_at=timezone.now(),
        excluded_domains=set(), rows=[
            # Alice joined from her registration link with a mistyped address
            participant_row("p-alice", "alice@@customer.example", registrant_id="r-alice"),
            participant_row("p-foo", "foo@", 5),  # matched to its registrant by address
            participant_row("p-long", way_too_long, 10),
            participant_row("p-walk-in", " Walk.In@Prospect.Example ", 15),
            participant_row("p-host", "host@acme.example", 20, internal_user=True),
        ])
    rows = {s.participant_id: s for s in AttendanceSession.objects.all()}
    alice = Contact.objects.get(email=ALICE)
    walk_in = Contact.objects.get(email="walk.in@prospect.example")
    assert (rows["p-alice"].email, rows["p-alice"].email_problem) == (ALICE, "")
    assert rows["p-alice"].contact == alice
    assert rows["p-foo"].registrant.zoom_registrant_id == "r-foo"
    assert rows["p-foo"].email_problem and rows["p-foo"].contact is None
    assert rows["p-long"].email == way_too_long[:MIRROR_EMAIL_LENGTH]
    assert rows["p-long"].email_problem == "longer than 254 characters"
    assert rows["p-long"].contact is None
    assert rows["p-walk-in"].contact == walk_in
    assert rows["p-host"].contact is None and rows["p-host"].email_problem == ""
    assert set(Contact.objects.values_list("email", flat=True)) == {
        ALICE, "walk.in@prospect.example"}
    assert mirrored.rows == 5 and mirrored.contact_ids == {"walk.in@prospect.example": walk_in.pk}


def test_rows_stored_before_the_check_are_marked_and_unlinked():
    """What migration 0003 does to an installation's existing rows."""
    migration = import_module("webinars.migrations.0003_mark_invalid_emails")
    webinar = WebinarFactory()
    instance = WebinarInstance.objects.create(webinar=webinar, occurrence_id="")
    alice = Contact.objects.create(email=ALICE)
    odd = Contact.objects.create(email="a@b@c")  # pushed, and refused, before the check
    alice_reg = Registrant.objects.create(webinar=webinar, zoom_registrant_id="r1", email=ALICE,
                                          status="approved", contact=alice)
    odd_reg = Registrant.objects.create(webinar=webinar, zoom_registrant_id="r2", email="a@b@c",
                                        status="approved", contact=odd)
    join = datetime(2026, 11, 10, 15, 0, tzinfo=UTC)
    mistyped = AttendanceSession.objects.create(
        instance=instance, participant_id="p1", join_time=join, email="alice@@customer.example",
        registrant=alice_reg, contact=alice)
    walk_in = AttendanceSession.objects.create(
        instance=instance, participant_id="p2", join_time=join, email="spaces in@x.com",
        contact=odd)

    migration.mark_invalid_emails(apps, None)

    alice_reg.refresh_from_db(), odd_reg.refresh_from_db()
    mistyped.refresh_from_db(), walk_in.refresh_from_db()
    assert (alice_reg.email_problem, alice_reg.contact) == ("", alice)
    assert (odd_reg.email_problem, odd_reg.contact) == ("not a valid e-mail address", None)
    assert (mistyped.email, mistyped.email_problem, mistyped.contact) == (ALICE, "", alice)
    assert (walk_in.email_problem, walk_in.contact) == ("not a valid e-mail address", None)
