"""Roll-ups are computed from the facts a source wrote on the contact's timeline; an entry that
lacks a fact gives an empty roll-up, never a placeholder or an error."""

from datetime import UTC, datetime

import pytest

from contacts.models import Activity, Contact
from contacts.services.rollups import contact_rollups_refresh

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 11, 1, 15, 0, tzinfo=UTC)


def entry(contact, kind, source_key, **details):
    return Activity.objects.create(contact=contact, kind=kind, occurred_at=T0, title="t",
                                   source_key=source_key, details=details)


def test_an_entry_without_topic_time_or_join_url_leaves_those_rollups_empty():
    contact = Contact.objects.create(email="alice@customer.example")
    entry(contact, Activity.Kind.WEBINAR_REGISTERED, "zoom-webinar-1", webinar_id="1",
          status="approved")
    entry(contact, Activity.Kind.WEBINAR_ATTENDED, "zoom-webinar-1", webinar_id="1",
          attended_seconds=600, length_s=1200)
    assert contact_rollups_refresh(contact_ids=[contact.pk]) == 1
    contact.refresh_from_db()
    assert (contact.webinar_registrations, contact.webinars_attended) == (1, 1)
    assert (contact.last_registered_webinar, contact.last_join_url,
            contact.last_attended_webinar) == ("", "", "")
    assert str(contact.avg_attendance_pct) == "50.0"
    assert contact_rollups_refresh(contact_ids=[contact.pk]) == 0  # nothing changed


def test_a_registration_without_a_status_is_not_counted():
    contact = Contact.objects.create(email="bob@customer.example")
    entry(contact, Activity.Kind.WEBINAR_REGISTERED, "zoom-webinar-2", webinar_id="2",
          topic="No status")
    contact_rollups_refresh(contact_ids=[contact.pk])
    contact.refresh_from_db()
    assert contact.webinar_registrations == 0 and contact.last_registered_webinar == ""


def test_only_the_given_contacts_are_recomputed():
    alice = Contact.objects.create(email="alice@customer.example")
    bob = Contact.objects.create(email="bob@customer.example")
    for contact in (alice, bob):
        entry(contact, Activity.Kind.WEBINAR_REGISTERED, "zoom-webinar-3", webinar_id="3",
              topic="Launch", status="approved", registered_at=T0.isoformat(),
              join_url="https://j/3")
    assert contact_rollups_refresh(contact_ids=[alice.pk, alice.pk]) == 1
    alice.refresh_from_db()
    bob.refresh_from_db()
    assert (alice.webinar_registrations, alice.last_registered_webinar,
            alice.last_join_url) == (1, "Launch", "https://j/3")
    assert bob.webinar_registrations == 0
