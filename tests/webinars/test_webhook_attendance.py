"""Joins and leaves announced by Zoom's webhooks: attendance rows built from them whatever
order they come in, an attend record with the time actually attended once the session ends,
a full sync a few minutes later whose participant report replaces the live rows without
counting anyone twice, and bursts pushed in batches."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from django_q.models import Schedule

from integrations.models import SyncRun, SyncSettings
from tests.scenarios import HOST, iso, past_webinar, world
from tests.zoom_webhooks import deliver, payload
from webinars.models import AttendanceSession, Webinar
from webinars.tasks import reconcile_webinar

pytestmark = pytest.mark.django_db(transaction=True)

WEBINAR_ID = 81234567890
UUID = "pastUUID111=="
EVENT_ID = f"zoom-webinar-{WEBINAR_ID}"
ALICE = "alice@customer.example"
ATTENDANCE = ("hubspot POST /marketing/v3/marketing-events/attendance/{externalEventId}/"
              "{subscriberState}/email-create")


def session_start() -> datetime:
    return (datetime.now(UTC) - timedelta(days=2)).replace(hour=15, minute=0, second=0,
                                                           microsecond=0)


def ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def created(start: datetime, account_id: str) -> dict:
    return payload("webinar.created", ts=ms(start - timedelta(days=7)), id=WEBINAR_ID,
                   account_id=account_id,
                   type=5, topic="Pipeline Masterclass", start_time=iso(start), duration=60,
                   host_id=HOST["id"], occurrences=[], recurrence={})


def participant(event: str, start: datetime, minute: float, *, email=ALICE, name="Alice"
                ) -> dict:
    at = start + timedelta(minutes=minute)
    field = "join_time" if event.endswith("joined") else "leave_time"
    return payload(f"webinar.{event}", ts=ms(at), id=str(WEBINAR_ID), uuid=UUID, type=5,
                   start_time=iso(start), participant={
                       "id": f"user-{email}", "participant_uuid": f"pu-{email}",
                       "user_name": name, "email": email, "registrant_id": "",
                       "participant_user_id": "", field: iso(at)})


def ended(start: datetime) -> dict:
    end = start + timedelta(minutes=60)
    return payload("webinar.ended", ts=ms(end), id=str(WEBINAR_ID), uuid=UUID, type=5,
                   start_time=iso(start), end_time=iso(end), host_email=HOST["email"])


def attend_records(sandbox) -> dict[str, list[dict]]:
    records: dict[str, list[dict]] = {}
    for a in sandbox.marketing_events()[EVENT_ID]["attendance"]:
        if a["state"] == "attend":
            records.setdefault(a["email"], []).append(a)
    return records


def seconds(record: dict) -> float:
    def moment(value):
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    return (moment(record["leftAt"]) - moment(record["joinedAt"])).total_seconds()


@pytest.fixture
def live_webinar(sandbox, linked):
    """A webinar Zoom announced by webhook (auto-sync on), whose session took place; Zoom's
    report of it holds Alice's two stays, 0–20 and 30–45 minutes."""
    start = session_start()
    sandbox.seed("custom", **world(past_webinar(
        webinar_id=WEBINAR_ID, uuid=UUID,
        registrants=[{"email": ALICE, "first_name": "Alice", "status": "approved"}],
        participants=[(ALICE, 0, 20), (ALICE, 30, 45)])))
    settings = SyncSettings.get_solo()
    settings.auto_sync_new_webinars = True
    settings.save()
    assert "sync enabled" in deliver(created(start, linked[0].zoom_account_id))
    return Webinar.objects.get(zoom_id=str(WEBINAR_ID)), start


def test_joins_and_leaves_in_any_order_make_one_attend_record_of_the_time_attended(
        sandbox, live_webinar):
    webinar, start = live_webinar
    assert sandbox.marketing_events()[EVENT_ID]  # the event exists from the created webhook
    # a leave before its join, a duplicate, a rejoin
    for body in [participant("participant_left", start, 20),
                 participant("participant_joined", start, 0),
                 participant("participant_joined", start, 30),
                 participant("participant_left", start, 45),
                 participant("participant_left", start, 45)]:
        deliver(body)
    # attendance waits for the session's end: HubSpot never amends an attend record
    assert attend_records(sandbox) == {}
    assert "full sync scheduled" in deliver(ended(start))

    records = attend_records(sandbox)
    assert list(records) == [ALICE] and len(records[ALICE]) == 1
    assert seconds(records[ALICE][0]) == 35 * 60
    contact = sandbox.hubspot_contacts()[ALICE]
    assert contact["zoomsync_webinars_attended"] == "1"
    assert float(contact["zoomsync_avg_attendance_minutes"]) == 35
    reconcile = Schedule.objects.get(func="webinars.tasks.reconcile_webinar")
    assert reconcile.args == f"({webinar.pk},)" or str(webinar.pk) in reconcile.args
    assert (reconcile.next_run - timezone.now()).total_seconds() == pytest.approx(300, abs=30)


def test_the_reconciling_sync_replaces_the_live_rows_and_counts_no_one_twice(
        sandbox, live_webinar):
    webinar, start = live_webinar
    for body in [participant("participant_joined", start, 0),
                 participant("participant_left", start, 20),
                 participant("participant_joined", start, 30),
                 participant("participant_left", start, 45), ended(start)]:
        deliver(body)
    before = sandbox.hubspot_contacts()[ALICE]

    assert reconcile_webinar(webinar.pk) == SyncRun.Status.SUCCEEDED

    rows = AttendanceSession.objects.filter(instance__webinar=webinar)
    assert rows.count() == 2 and not rows.filter(seen_at__isnull=True).exists()
    records = attend_records(sandbox)
    assert len(records[ALICE]) == 1 and seconds(records[ALICE][0]) == 35 * 60
    after = sandbox.hubspot_contacts()[ALICE]
    assert (after["zoomsync_webinars_attended"], after["zoomsync_avg_attendance_minutes"]) == (
        before["zoomsync_webinars_attended"], before["zoomsync_avg_attendance_minutes"])
    # joins delivered late, after Zoom's report is stored, change nothing
    deliver(participant("participant_joined", start, 50))
    assert rows.count() == 2


def test_a_burst_of_500_joins_is_pushed_in_batches(sandbox, live_webinar):
    webinar, start = live_webinar
    people = [f"guest{i}@audience.example" for i in range(500)]
    sandbox.reset_calls()
    # what arrives within one batching window
    with transaction.atomic():
        for i, email in enumerate(people):
            deliver(participant("participant_joined", start, i / 100, email=email))
        for i, email in enumerate(people):
            deliver(participant("participant_left", start, 40 + i / 100, email=email))
        deliver(ended(start))

    assert len(attend_records(sandbox)) == 500
    assert set(people) <= set(sandbox.hubspot_contacts())
    calls = sandbox.hubspot_calls()
    assert calls[ATTENDANCE] == 5  # 100 records per call
    assert sum(calls.values()) <= 20, calls
