"""What a webinar's marketing event says in HubSpot, read back through HubSpot's own API: its
name, organizer, link, description and times, and that it is written again only when those
change."""

from datetime import UTC, datetime, timedelta

import pytest
import requests

from integrations.services.clients import hubspot_client_for
from tests.scenarios import past_webinar, recurring_webinar, sync_one, upcoming_webinar, world
from webinars.models import Webinar, WebinarInstance
from webinars.services.hubspot_events import marketing_events_push
from webinars.services.sync import webinar_sync

pytestmark = pytest.mark.django_db

EVENTS = "hubspot POST /marketing/v3/marketing-events/events/upsert"


def hubspot_event(sandbox, external_event_id: str) -> dict:
    """The event as HubSpot's API returns it (the sandbox state leaves some fields out)."""
    creds = sandbox.credentials()
    response = requests.get(
        f"{sandbox.url}/hubspot/marketing/v3/marketing-events/events/{external_event_id}",
        params={"externalAccountId": creds["zoom"]["account_id"]},
        headers={"Authorization": f"Bearer {creds['hubspot']['token']}"}, timeout=10)
    response.raise_for_status()
    return response.json()


def zoom_webinar(sandbox, zoom_id) -> dict:
    return sandbox.zoom("GET", f"/webinars/{zoom_id}").json()


def test_a_held_webinar_is_an_event_with_its_details_and_actual_times(sandbox, linked):
    account, _ = linked
    agenda = "Pipeline reviews, forecasting and the metrics that matter. " * 30  # 1,800 chars
    data = past_webinar(end_offset_min=52)  # ended at minute 52 of its 60 scheduled minutes
    data["agenda"] = agenda
    scheduled = datetime.fromisoformat(data["start_time"].replace("Z", "+00:00"))
    start = scheduled + timedelta(minutes=7)  # and started 7 minutes late
    data["instances"][0]["start_time"] = start.strftime("%Y-%m-%dT%H:%M:%SZ")
    sandbox.seed("custom", **world(data))
    sync_one(account, 81234567890)

    event = hubspot_event(sandbox, "zoom-webinar-81234567890")  # read by our account id
    assert {k: event[k] for k in ("externalEventId", "eventName", "eventOrganizer",
                                  "eventType", "eventUrl", "eventDescription")} == {
        "externalEventId": "zoom-webinar-81234567890",
        "eventName": "Pipeline Masterclass",
        "eventOrganizer": "host@acme.example",
        "eventType": "WEBINAR",
        "eventUrl": zoom_webinar(sandbox, 81234567890)["join_url"],
        "eventDescription": agenda[:1000],
    }
    # the webinar's facts, for segmenting contacts by the webinars they took part in
    assert {p["name"]: p["value"] for p in event["customProperties"]} == {
        "zoomsync_webinar_id": "81234567890", "zoomsync_webinar_topic": "Pipeline Masterclass"}
    assert event["startDateTime"] == start.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    assert event["endDateTime"] == (scheduled + timedelta(minutes=52)).strftime(
        "%Y-%m-%dT%H:%M:%S.000Z")
    assert event["eventCompleted"] is True


def test_an_upcoming_webinar_event_ends_after_its_scheduled_duration(sandbox, linked):
    account, _ = linked
    data = upcoming_webinar()
    sandbox.seed("custom", **world(data))
    sync_one(account, 89876543210)
    event = hubspot_event(sandbox, "zoom-webinar-89876543210")
    start = datetime.fromisoformat(data["start_time"].replace("Z", "+00:00"))
    assert event["startDateTime"] == start.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    assert event["endDateTime"] == (start + timedelta(minutes=45)).strftime(
        "%Y-%m-%dT%H:%M:%S.000Z")
    assert event["eventDescription"] == ""
    assert event["eventCompleted"] is False


def test_each_session_of_a_recurring_webinar_is_named_after_its_day(sandbox, linked):
    account, _ = linked
    sandbox.seed("custom", **world(recurring_webinar(sessions=[("s1==", []), ("s2==", [])])))
    webinar, _ = sync_one(account, 85550001111)
    names = {}
    for instance in webinar.instances.all():
        event = sandbox.marketing_events()[instance.external_event_id]
        names[event["eventName"]] = instance
    for name, instance in names.items():
        day = (instance.started_at or instance.scheduled_start).astimezone(UTC).date()
        assert name == f"Weekly Platform Demo ({day:%Y-%m-%d})"
    assert len(names) == 3


def test_an_event_is_written_again_only_when_its_details_change(sandbox_server, sandbox,
                                                                linked):
    account, _ = linked
    sandbox.seed("custom", **world(upcoming_webinar(), upcoming_webinar(
        webinar_id=88888888888, topic="Another one", days_ahead=9)))
    webinar, _ = sync_one(account, 89876543210)
    other, _ = sync_one(account, 88888888888)
    with sandbox_server.world.lock:  # renamed in Zoom
        sandbox_server.world.webinars[89876543210].topic = "Product Roadmap Live (new date)"
    sandbox.reset_calls()

    for w in (webinar, other):
        webinar_sync(webinar=w, trigger="test")
    assert sandbox.hubspot_calls() == {EVENTS: 1}
    assert sandbox.marketing_events()["zoom-webinar-89876543210"]["eventName"] == \
        "Product Roadmap Live (new date)"
    assert sandbox.marketing_events()["zoom-webinar-88888888888"]["eventName"] == \
        "Another one"

    sandbox.reset_calls()
    webinar_sync(webinar=webinar, trigger="test")
    assert sandbox.hubspot_calls() == {}


def test_without_a_host_email_the_account_organizes_and_the_schedule_gives_the_times(
        sandbox, linked):
    account, portal = linked
    start = datetime(2027, 3, 4, 16, 30, tzinfo=UTC)
    webinar = Webinar.objects.create(zoom_account=account, zoom_id="87777777777",
                                     topic="Hostless", host_email="", join_url="https://j/1")
    WebinarInstance.objects.create(webinar=webinar, scheduled_start=start,
                                   scheduled_duration=30)
    assert marketing_events_push(client=hubspot_client_for(portal=portal),
                                 webinar=webinar) == 1
    event = hubspot_event(sandbox, "zoom-webinar-87777777777")
    assert event["eventOrganizer"] == "Sandbox Zoom"
    assert event["eventName"] == "Hostless"  # one-off: no date in the name
    assert (event["startDateTime"], event["endDateTime"]) == (
        "2027-03-04T16:30:00.000Z", "2027-03-04T17:00:00.000Z")
    assert marketing_events_push(client=hubspot_client_for(portal=portal),
                                 webinar=webinar) == 0


def test_a_session_with_no_fixed_time_is_an_event_without_dates(sandbox, linked):
    """Zoom's recurring webinars "with no fixed time" have sessions without a start."""
    account, portal = linked
    webinar = Webinar.objects.create(zoom_account=account, zoom_id="86666666666", type=6,
                                     topic="Office hours", host_email="host@acme.example")
    WebinarInstance.objects.create(webinar=webinar, occurrence_id="1", scheduled_duration=60)
    marketing_events_push(client=hubspot_client_for(portal=portal), webinar=webinar)
    event = hubspot_event(sandbox, "zoom-webinar-86666666666-1")
    assert event["eventName"] == "Office hours"
    assert "startDateTime" not in event and "endDateTime" not in event


def test_an_event_name_is_cut_to_what_hubspot_takes(sandbox, linked):
    account, portal = linked
    webinar = Webinar.objects.create(zoom_account=account, zoom_id="85555555555",
                                     topic="Long " * 60, host_email="host@acme.example")
    WebinarInstance.objects.create(webinar=webinar, scheduled_duration=60,
                                   scheduled_start=datetime(2027, 3, 4, 16, 30, tzinfo=UTC))
    marketing_events_push(client=hubspot_client_for(portal=portal), webinar=webinar)
    assert hubspot_event(sandbox, "zoom-webinar-85555555555")["eventName"] == (
        "Long " * 60)[:250]
