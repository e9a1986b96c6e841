"""Roll-ups over several synced webinars: the last registered and last attended webinar are
decided by time, whatever the Zoom ids (the id only breaks ties)."""

from datetime import UTC, datetime, timedelta

import pytest

from tests.scenarios import iso, past_webinar, sync_one, upcoming_webinar, world

pytestmark = pytest.mark.django_db

ALICE = "alice@customer.example"


def test_latest_registration_and_attendance_win_over_larger_ids(sandbox, linked):
    account, _ = linked
    now = datetime.now(UTC).replace(microsecond=0)

    def alice(registered: datetime) -> dict:
        return {"email": ALICE, "first_name": "Alice", "status": "approved",
                "create_time": iso(registered)}

    # the larger ids are the older registrations and sessions
    older = past_webinar(webinar_id=89999999999, topic="Older session", days_ago=6,
                         registrants=[alice(now - timedelta(days=9))],
                         participants=[(ALICE, 0, 30)], uuid="olderUUID==")
    newer = past_webinar(webinar_id=81111111111, topic="Newer session", days_ago=2,
                         registrants=[alice(now - timedelta(days=8))],
                         participants=[(ALICE, 0, 15)], uuid="newerUUID==")
    later_registration = upcoming_webinar(webinar_id=80000000001, topic="Registered last",
                                          registrants=[alice(now - timedelta(hours=1))])
    early_registration = upcoming_webinar(webinar_id=89999999998, topic="Registered first",
                                          days_ahead=12,
                                          registrants=[alice(now - timedelta(days=20))])
    sandbox.seed("custom", **world(older, newer, later_registration, early_registration))
    for zoom_id in (89999999999, 81111111111, 80000000001, 89999999998):
        sync_one(account, zoom_id)

    contact = sandbox.hubspot_contacts()[ALICE]
    assert contact["zoomsync_webinar_registrations"] == "4"
    assert contact["zoomsync_webinars_attended"] == "2"
    assert contact["zoomsync_last_attended_webinar"] == "Newer session"
    assert contact["zoomsync_last_registered_webinar"] == "Registered last"
    assert "80000000001" in contact["zoomsync_last_join_url"]
    assert contact["zoomsync_avg_attendance_minutes"] == "22.5"
    assert contact["zoomsync_avg_attendance_pct"] == "37.5"
