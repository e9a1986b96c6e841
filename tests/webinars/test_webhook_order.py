"""Zoom delivers webhooks late, twice and out of order: the same deliveries, arriving
together three times over in shuffled order, leave HubSpot and the mirror exactly as one
in-order delivery does."""

import hashlib
import json
import random
from datetime import UTC, datetime, timedelta

import pytest
from django.db import transaction

from integrations.models import SyncSettings, WebhookDelivery
from integrations.services.webhooks import webhook_delivery_store
from tests.scenarios import HOST, iso
from tests.zoom_webhooks import deliver, payload
from webinars.models import AttendanceSession, Registrant, Webinar

pytestmark = pytest.mark.django_db(transaction=True)

IN_ORDER_ID, SHUFFLED_ID, BATCHED_ID = 81111111111, 82222222222, 83333333333
START = (datetime.now(UTC) - timedelta(days=2)).replace(hour=15, minute=0, second=0,
                                                        microsecond=0)


def ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def deliveries(webinar_id: int, n: int) -> list[dict]:
    """Ann registers and cancels; Bob registers, is approved and attends twice; Cid attends
    without registering; then the session ends. People are named after the webinar (n)."""
    common = {"id": webinar_id, "type": 5, "start_time": iso(START), "occurrences": []}
    uuid = f"uuid-{webinar_id}=="

    def registration(event, minutes_before, who, **fields):
        return payload(f"webinar.registration_{event}", ts=ms(START - timedelta(
            minutes=minutes_before)), **common, registrant={
            "id": f"reg-{who}{n}", "email": f"{who}{n}@customer.example",
            "first_name": who.title(), **fields})

    def stay(who, join, leave, registrant_id=""):
        person = {"id": f"user-{who}{n}", "participant_uuid": f"pu-{who}{n}",
                  "user_name": who.title(), "email": f"{who}{n}@customer.example",
                  "registrant_id": registrant_id}
        return [payload(f"webinar.participant_{event}", ts=ms(START + timedelta(minutes=m)),
                        **{**common, "id": str(webinar_id)}, uuid=uuid,
                        participant={**person, field: iso(START + timedelta(minutes=m))})
                for event, field, m in (("joined", "join_time", join),
                                        ("left", "leave_time", leave))]

    return [
        registration("created", 4000, "ann", status="approved"),
        registration("created", 3000, "bob", status="pending"),
        registration("cancelled", 2000, "ann"),
        registration("approved", 1000, "bob"),
        *stay("bob", 0, 20, f"reg-bob{n}"), *stay("bob", 30, 45, f"reg-bob{n}"),
        *stay("cid", 5, 50),
        payload("webinar.ended", ts=ms(START + timedelta(minutes=60)),
                **{**common, "id": str(webinar_id)}, uuid=uuid,
                end_time=iso(START + timedelta(minutes=60))),
    ]


def state(sandbox, webinar_id: int, n: int) -> dict:
    """What a user sees, with the webinar's people named alike."""
    def name(email):
        return email.replace(f"{n}@", "@")

    event = sandbox.marketing_events()[f"zoom-webinar-{webinar_id}"]
    contacts = {name(email): {k: v for k, v in props.items()
                              if k.startswith(("zoomsync_", "firstname"))}
                for email, props in sandbox.hubspot_contacts().items() if f"{n}@" in email}
    webinar = Webinar.objects.get(zoom_id=str(webinar_id))
    return {
        "records": sorted((name(a["email"]), a["state"], a["interactionDateTime"],
                           a["joinedAt"], a["leftAt"]) for a in event["attendance"]),
        "contacts": contacts,
        "registrants": sorted((name(r.email), r.status, r.registered_at, r.cancelled_at)
                              for r in Registrant.objects.filter(webinar=webinar)),
        "attendance": sorted((name(s.email), s.join_time, s.leave_time, s.duration_s)
                             for s in AttendanceSession.objects.filter(
                                 instance__webinar=webinar)),
    }


def webinars_created(account, *webinar_ids: int) -> None:
    settings = SyncSettings.get_solo()
    settings.auto_sync_new_webinars = True
    settings.save()
    for webinar_id in webinar_ids:
        deliver(payload("webinar.created", ts=ms(START - timedelta(days=7)), id=webinar_id,
                        account_id=account.zoom_account_id, type=5, topic="Same Topic",
                        start_time=iso(START), duration=60, host_id=HOST["id"],
                        occurrences=[], recurrence={}))


def test_shuffled_duplicated_deliveries_give_the_in_order_state(sandbox, linked):
    account, _ = linked
    webinars_created(account, IN_ORDER_ID, SHUFFLED_ID)

    for body in deliveries(IN_ORDER_ID, 1):
        deliver(body)
    shuffled = deliveries(SHUFFLED_ID, 2)
    rng = random.Random(20261201)
    for _round in range(3):
        rng.shuffle(shuffled)
        with transaction.atomic():  # arriving together: one batching window
            for body in shuffled:
                deliver(body)

    expected = state(sandbox, IN_ORDER_ID, 1)
    assert expected["registrants"][0][:2] == ("ann@customer.example", "cancelled")
    assert [r[:2] for r in expected["records"]] == [
        ("ann@customer.example", "cancel"), ("ann@customer.example", "register"),
        ("bob@customer.example", "attend"), ("bob@customer.example", "register"),
        ("cid@customer.example", "attend")]
    assert state(sandbox, SHUFFLED_ID, 2) == expected


def test_the_inbox_processing_a_shuffled_burst_in_batches_gives_the_in_order_state(
        sandbox, linked, settings):
    """As the endpoint stores them: three shuffled copies of every event arrive together and
    a worker processes them a few at a time, a registrant's changes split across batches."""
    account, _ = linked
    settings.WEBHOOK_DRAIN_BATCH = 4
    webinars_created(account, IN_ORDER_ID, BATCHED_ID)
    for body in deliveries(IN_ORDER_ID, 1):
        deliver(body)
    burst = deliveries(BATCHED_ID, 3) * 3
    random.Random(20261202).shuffle(burst)
    with transaction.atomic():  # processed once they are all committed
        for body in burst:
            raw = json.dumps(body)
            webhook_delivery_store(
                provider="zoom", event_type=body["event"], account_key=account.zoom_account_id,
                dedupe_key=f"zoom:{hashlib.sha256(raw.encode()).hexdigest()}",
                event_ts=body["event_ts"], headers={}, body=raw, remote_ip=None)

    statuses = list(WebhookDelivery.objects.filter(dedupe_key__startswith="zoom:")
                    .values_list("status", flat=True))
    assert (statuses.count("processed"), statuses.count("duplicate")) == (
        len(burst) // 3, 2 * len(burst) // 3)
    assert state(sandbox, BATCHED_ID, 3) == state(sandbox, IN_ORDER_ID, 1)
