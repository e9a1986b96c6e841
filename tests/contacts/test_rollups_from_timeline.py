"""Roll-ups read the contact's timeline only: whatever wrote the entries, the numbers follow."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from contacts.models import Activity
from contacts.services.rollups import contact_rollups_refresh
from tests.factories import ActivityFactory, ContactFactory

pytestmark = pytest.mark.django_db
Kind = Activity.Kind


def registered(contact, webinar_id, topic, session, *, status="approved", at, join_url=""):
    return ActivityFactory(
        contact=contact, kind=Kind.WEBINAR_REGISTERED, occurred_at=at, title=topic,
        source_key=f"zoom-webinar-{webinar_id}{session}",
        details={"webinar_id": webinar_id, "topic": topic, "status": status,
                 "registered_at": at.isoformat(), "join_url": join_url})


def attended(contact, webinar_id, topic, session, *, start, length_s, seconds):
    return ActivityFactory(
        contact=contact, kind=Kind.WEBINAR_ATTENDED, occurred_at=start, title=topic,
        source_key=f"zoom-webinar-{webinar_id}{session}",
        details={"webinar_id": webinar_id, "topic": topic, "start": start.isoformat(),
                 "length_s": length_s, "attended_seconds": seconds})


def day(n):
    return datetime(2026, 11, n, 15, 0, tzinfo=UTC)


def test_rollups_are_computed_from_the_timeline_entries():
    ann = ContactFactory()
    # a recurring webinar: one registration shown on each of its two sessions
    registered(ann, "81000000001", "Weekly demo", "-1", at=day(1), join_url="https://j/weekly")
    registered(ann, "81000000001", "Weekly demo", "-2", at=day(1), join_url="https://j/weekly")
    registered(ann, "81000000002", "Launch", "", at=day(3), status="cancelled")
    registered(ann, "81000000003", "Pricing", "", at=day(2), status="pending",
               join_url="https://j/pricing")
    attended(ann, "81000000001", "Weekly demo", "-1", start=day(5), length_s=3600, seconds=3600)
    attended(ann, "81000000001", "Weekly demo", "-2", start=day(12), length_s=3600,
             seconds=1200)
    attended(ann, "81000000002", "Launch", "", start=day(8), length_s=1800, seconds=900)
    bob = ContactFactory()  # nothing on the timeline: everything at its empty value

    assert contact_rollups_refresh(contact_ids=[ann.pk, bob.pk]) == 1
    ann.refresh_from_db()
    assert ann.webinar_registrations == 2  # weekly demo once, pricing; the cancelled not
    assert ann.last_registered_webinar == "Pricing"
    assert ann.last_join_url == "https://j/pricing"
    assert ann.webinars_attended == 3
    assert ann.avg_attendance_pct == Decimal("61.1")  # (100 + 33.3 + 50) / 3
    assert ann.avg_attendance_minutes == Decimal("31.7")  # (60 + 20 + 15) / 3
    assert ann.last_attended_webinar == "Weekly demo"  # its second session is the latest

    # nothing changed: nothing written
    assert contact_rollups_refresh(contact_ids=[ann.pk, bob.pk]) == 0


def test_contacts_refreshed_in_several_chunks_are_all_counted(monkeypatch):
    from contacts.services import rollups

    monkeypatch.setattr(rollups, "QUERY_CHUNK", 1)
    ann, bob, cy = ContactFactory(), ContactFactory(), ContactFactory()
    for contact in (ann, bob):
        attended(contact, "81000000001", "Weekly demo", "-1", start=day(5), length_s=3600,
                 seconds=1800)
    assert contact_rollups_refresh(contact_ids=[ann.pk, bob.pk, cy.pk]) == 2
    bob.refresh_from_db()
    assert (bob.webinars_attended, bob.avg_attendance_pct) == (1, Decimal("50.0"))
