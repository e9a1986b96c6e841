"""Zoom's registration webhooks reach HubSpot: a registration as a contact and a register
record, a cancellation as a cancel record at the time Zoom sent it, and a late, older event
never undoes a newer state."""

from datetime import UTC, datetime

import pytest

from integrations.models import SyncRun, SyncSettings
from tests.scenarios import sync_one, upcoming_webinar, world
from tests.zoom_webhooks import deliver, payload
from webinars.models import Registrant
from webinars.services.runs import KIND_LIVE

pytestmark = pytest.mark.django_db(transaction=True)

WEBINAR_ID = 89876543210
EVENT_ID = f"zoom-webinar-{WEBINAR_ID}"
JILL = {"id": "reg-jill-1", "email": "Jill.Chill@Customer.example"}
# Zoom's event_ts (ms): an hour ago, before the webinar (which is days ahead)
T0 = (int(datetime.now(UTC).timestamp()) - 3600) * 1000


def registration(event, ts, **registrant):
    return payload(f"webinar.registration_{event}", ts=ts, id=WEBINAR_ID,
                   registrant={**JILL, **registrant})


def states(sandbox) -> list[tuple[str, str, int]]:
    event = sandbox.marketing_events()[EVENT_ID]
    return sorted((a["email"], a["state"], a["interactionDateTime"])
                  for a in event["attendance"])


@pytest.fixture
def synced(sandbox, linked):
    account, _ = linked
    sandbox.seed("custom", **world(upcoming_webinar(webinar_id=WEBINAR_ID)))
    webinar, _ = sync_one(account, WEBINAR_ID)
    return webinar


def test_a_registration_becomes_a_contact_and_a_register_record(sandbox, synced):
    note = deliver(registration("created", T0))

    assert "push queued" in note
    contact = sandbox.hubspot_contacts()["jill.chill@customer.example"]
    # the official payload's answers fill HubSpot's standard fields
    assert (contact["firstname"], contact["company"], contact["jobtitle"]) == (
        "Jill", "Cooking Org", "Chef")
    assert contact["zoomsync_webinar_registrations"] == "1"
    assert states(sandbox) == [("jill.chill@customer.example", "register", T0)]
    run = SyncRun.objects.filter(kind=KIND_LIVE).latest("pk")
    assert run.status == SyncRun.Status.SUCCEEDED and run.trigger == "webhook"


def test_a_cancellation_is_recorded_at_the_time_zoom_sent_it(sandbox, synced):
    deliver(registration("created", T0))
    deliver(registration("cancelled", T0 + 60_000))

    assert states(sandbox) == [("jill.chill@customer.example", "cancel", T0 + 60_000),
                               ("jill.chill@customer.example", "register", T0)]
    registrant = Registrant.objects.get(zoom_registrant_id=JILL["id"])
    assert registrant.status == Registrant.Status.CANCELLED
    assert registrant.cancelled_at == datetime.fromtimestamp((T0 + 60_000) / 1000, tz=UTC)
    # the roll-up no longer counts the cancelled registration
    assert sandbox.hubspot_contacts()["jill.chill@customer.example"][
        "zoomsync_webinar_registrations"] == "0"


def test_an_older_approval_arriving_after_the_cancellation_keeps_it_cancelled(
        sandbox, synced):
    deliver(registration("created", T0, status="pending"))
    deliver(registration("cancelled", T0 + 60_000))
    note = deliver(registration("approved", T0 + 30_000))  # sent before, arrived after

    assert "newer change was applied already" in note
    registrant = Registrant.objects.get(zoom_registrant_id=JILL["id"])
    assert registrant.status == Registrant.Status.CANCELLED
    assert [s for _, s, _ in states(sandbox)] == ["cancel", "register"]
    # while a newer event does apply: Zoom approved it again later
    deliver(registration("approved", T0 + 90_000))
    registrant.refresh_from_db()
    assert registrant.status == Registrant.Status.APPROVED and registrant.cancelled_at is None


def test_the_same_deliveries_twice_change_nothing_more(sandbox, synced):
    bodies = [registration("created", T0), registration("cancelled", T0 + 60_000)]
    for body in bodies:
        deliver(body)
    before = states(sandbox)
    sandbox.reset_calls()
    for body in bodies:
        deliver(body)
    assert states(sandbox) == before
    reads = ("hubspot GET", "hubspot POST /crm/v3/objects/contacts/batch/read")
    writes = {k: v for k, v in sandbox.hubspot_calls().items() if not k.startswith(reads)}
    assert writes == {}


def test_a_webinar_with_sync_off_is_only_mirrored(sandbox, linked):
    account, _ = linked
    sandbox.seed("custom", **world(upcoming_webinar(webinar_id=WEBINAR_ID)))
    webinar, _ = sync_one(account, WEBINAR_ID)
    webinar.sync_enabled = False
    webinar.save()
    sandbox.reset_calls()

    note = deliver(registration("created", T0))

    assert "mirrored only (sync is off)" in note
    assert Registrant.objects.filter(webinar=webinar, zoom_registrant_id=JILL["id"]).exists()
    assert sandbox.hubspot_calls() == {}


def test_an_unknown_webinar_is_ignored(sandbox, linked):
    SyncSettings.get_solo()
    note = deliver(payload("webinar.registration_created", ts=T0, id=1111, registrant=JILL))
    assert note == "Webinar 1111 is not mirrored: ignored."
    assert not Registrant.objects.exists()
