"""Roll-ups count synced webinars only, even when the mirror knows of others (§5.2)."""

import pytest
from django.utils import timezone

from integrations.services.clients import zoom_client_for
from tests.scenarios import past_webinar, sync_one, world
from webinars.models import AttendanceSession, Registrant, Webinar
from webinars.services.discovery import webinars_discover
from webinars.services.mirror import (
    attendance_sessions_sync_from_zoom,
    registrants_sync_from_zoom,
    webinar_instance_sync_from_zoom,
)

pytestmark = pytest.mark.django_db

ALICE = {"email": "alice@customer.example", "first_name": "Alice", "status": "approved"}
SYNCED_ID, OTHER_ID = 81234567890, 82222222222


def mirror_without_syncing(account, zoom_id: int, uuid: str) -> None:
    """Reads a webinar's registrants and one session's attendees from Zoom into the mirror
    only (as the mirror's entry points store them), without pushing anything to HubSpot."""
    webinar = Webinar.objects.get(zoom_id=str(zoom_id))
    zoom = zoom_client_for(account=account)
    rows = [row for page in zoom.iter_registrant_pages(str(zoom_id), "approved")
            for row in page]
    registrants_sync_from_zoom(webinar=webinar, rows=rows)
    instance = webinar_instance_sync_from_zoom(webinar=webinar, uuid=uuid,
                                               report=zoom.get_webinar_report(uuid),
                                               start_time=webinar.start_time)
    participants = [row for page in zoom.iter_participant_pages(uuid) for row in page]
    attendance_sessions_sync_from_zoom(instance=instance, uuid=uuid, rows=participants,
                                       seen_at=timezone.now())


def test_a_webinar_whose_sync_box_is_off_counts_for_nothing(sandbox, linked):
    account, _ = linked
    alice = ALICE["email"]
    sandbox.seed("custom", **world(
        past_webinar(webinar_id=SYNCED_ID, topic="Pipeline Masterclass", days_ago=3,
                     uuid="syncedUUID==", registrants=[ALICE], participants=[(alice, 0, 30)]),
        past_webinar(webinar_id=OTHER_ID, topic="Partner Briefing", days_ago=1,
                     uuid="otherUUID==", registrants=[ALICE], participants=[(alice, 0, 45)]),
    ))
    webinars_discover(account=account)
    # Alice's registration and attendance of the other webinar are in the mirror, but its
    # Sync box was never ticked.
    mirror_without_syncing(account, OTHER_ID, "otherUUID==")
    other = Webinar.objects.get(zoom_id=str(OTHER_ID))
    assert not other.sync_enabled
    assert Registrant.objects.filter(webinar=other, contact__email=alice).exists()
    assert AttendanceSession.objects.filter(instance__webinar=other,
                                            contact__email=alice).exists()

    sync_one(account, SYNCED_ID)

    contact = sandbox.hubspot_contacts()[alice]
    assert contact["zoomsync_webinar_registrations"] == "1"
    assert contact["zoomsync_webinars_attended"] == "1"
    assert contact["zoomsync_avg_attendance_minutes"] == "30.0"
    assert contact["zoomsync_last_registered_webinar"] == "Pipeline Masterclass"
    assert contact["zoomsync_last_attended_webinar"] == "Pipeline Masterclass"
    assert set(sandbox.marketing_events()) == {f"zoom-webinar-{SYNCED_ID}"}
