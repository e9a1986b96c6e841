"""The webinar sync end to end: Zoom (sandbox) → mirror → HubSpot (sandbox), over real HTTP."""

import pytest

from contacts.models import Activity, Contact
from integrations.models import SyncRun, SyncSettings
from tests.scenarios import past_webinar, sync_one, upcoming_webinar, world
from webinars.models import AttendanceSession, Registrant, Webinar
from webinars.services.discovery import webinars_discover
from webinars.services.sync import webinar_sync

pytestmark = pytest.mark.django_db

ALICE = {"email": "alice@customer.example", "first_name": "Alice", "last_name": "Archer",
         "status": "approved", "org": "Customer Inc", "job_title": "CMO",
         "custom_questions": [{"title": "What do you hope to learn?", "value": "Attribution"}]}
BOB = {"email": "Bob@Customer.example", "first_name": "Bob", "last_name": "Baker",
       "status": "approved"}
CARLA = {"email": "carla@prospect.example", "first_name": "Carla", "last_name": "Cruz",
         "status": "approved"}
RIVAL = {"email": "spy@competitor.example", "first_name": "Sam", "last_name": "Spy",
         "status": "approved"}



def test_rejoining_attendee_rollups_merge_overlaps_and_sum_rejoins(sandbox, linked):
    account, _ = linked
    # 60-minute session; Alice: 0–20, 15–40 (overlap) and 50–60 → 40 + 10 = 50 minutes.
    sandbox.seed("custom", **world(past_webinar(
        registrants=[ALICE, CARLA],
        participants=[(ALICE["email"], 0, 20), (ALICE["email"], 15, 40),
                      (ALICE["email"], 50, 60), (CARLA["email"], 0, 30)],
    )))
    sync_one(account, 81234567890)

    alice = sandbox.hubspot_contacts()["alice@customer.example"]
    assert alice["zoomsync_webinar_registrations"] == "1"
    assert alice["zoomsync_webinars_attended"] == "1"
    assert alice["zoomsync_avg_attendance_minutes"] == "50.0"
    assert alice["zoomsync_avg_attendance_pct"] == "83.3"
    assert alice["zoomsync_last_attended_webinar"] == "Pipeline Masterclass"
    assert alice["zoomsync_last_registered_webinar"] == "Pipeline Masterclass"
    assert alice["zoomsync_last_join_url"].startswith("http")
    assert alice["company"] == "Customer Inc" and alice["jobtitle"] == "CMO"
    carla = sandbox.hubspot_contacts()["carla@prospect.example"]
    assert carla["zoomsync_avg_attendance_pct"] == "50.0"

    event = sandbox.marketing_events()["zoom-webinar-81234567890"]
    assert event["eventCompleted"] is True
    attends = [a for a in event["attendance"] if a["state"] == "attend"]
    # one attendance record per person, spanning first join to last leave
    assert sorted(a["email"] for a in attends) == ["alice@customer.example",
                                                   "carla@prospect.example"]
    assert AttendanceSession.objects.filter(email="alice@customer.example").count() == 3


def test_attended_time_is_capped_at_the_session_length(sandbox, linked):
    account, _ = linked
    # stays 10 minutes past the end of a session that ran 30 minutes
    sandbox.seed("custom", **world(past_webinar(
        registrants=[ALICE], participants=[(ALICE["email"], 0, 40)], end_offset_min=30,
    )))
    sync_one(account, 81234567890)
    alice = sandbox.hubspot_contacts()["alice@customer.example"]
    assert alice["zoomsync_avg_attendance_pct"] == "100.0"
    assert alice["zoomsync_avg_attendance_minutes"] == "30.0"


def test_guest_without_email_is_mirrored_but_not_pushed(sandbox, linked):
    account, _ = linked
    sandbox.seed("custom", **world(past_webinar(
        registrants=[ALICE],
        participants=[(ALICE["email"], 0, 60), ({"name": "iPhone caller"}, 5, 25)],
    )))
    _, run = sync_one(account, 81234567890)
    guest = AttendanceSession.objects.get(name="iPhone caller")
    assert guest.email == "" and guest.contact is None and guest.is_guest
    assert run.counts["guests"] == 1
    contacts = sandbox.hubspot_contacts()
    assert list(contacts) == ["alice@customer.example"]
    attendance = sandbox.marketing_events()["zoom-webinar-81234567890"]["attendance"]
    assert {a["email"] for a in attendance} == {"alice@customer.example"}


def test_excluded_domain_is_never_pushed(sandbox, linked):
    account, _ = linked
    settings = SyncSettings.get_solo()
    settings.contact_exclusion_domains = "competitor.example"
    settings.save()
    sandbox.seed("custom", **world(past_webinar(
        registrants=[ALICE, RIVAL],
        participants=[(ALICE["email"], 0, 60), (RIVAL["email"], 0, 60)],
    )))
    sync_one(account, 81234567890)
    assert "spy@competitor.example" not in sandbox.hubspot_contacts()
    attendance = sandbox.marketing_events()["zoom-webinar-81234567890"]["attendance"]
    assert "spy@competitor.example" not in {a["email"] for a in attendance}
    # still in the mirror, so webinar numbers stay true
    assert Registrant.objects.filter(email="spy@competitor.example").exists()
    assert not Contact.objects.filter(email="spy@competitor.example").exists()


def test_existing_names_are_not_overwritten_and_source_only_on_created(sandbox, linked):
    account, _ = linked
    sandbox.seed("custom", **world(
        past_webinar(registrants=[ALICE, BOB], participants=[(BOB["email"], 0, 60)]),
        hubspot_contacts=[{"email": "bob@customer.example",
                           "properties": {"firstname": "Robert", "lastname": ""}}],
    ))
    sync_one(account, 81234567890)
    contacts = sandbox.hubspot_contacts()
    bob = contacts["bob@customer.example"]
    assert bob["firstname"] == "Robert"  # HubSpot's value stays
    assert bob["lastname"] == "Baker"  # an empty field is filled
    assert bob.get("zoomsync_source") in (None, "")  # we did not create Bob
    assert bob["zoomsync_webinars_attended"] == "1"
    alice = contacts["alice@customer.example"]
    assert alice["firstname"] == "Alice"
    assert alice["zoomsync_source"] == "Zoom Integration"
    assert Contact.objects.get(email="alice@customer.example").created_by_sync
    assert not Contact.objects.get(email="bob@customer.example").created_by_sync


def test_overwrite_policy_replaces_names(sandbox, linked):
    account, _ = linked
    settings = SyncSettings.get_solo()
    settings.contact_field_policy = SyncSettings.FieldPolicy.OVERWRITE
    settings.save()
    sandbox.seed("custom", **world(
        past_webinar(registrants=[BOB]),
        hubspot_contacts=[{"email": "bob@customer.example",
                           "properties": {"firstname": "Robert"}}],
    ))
    sync_one(account, 81234567890)
    assert sandbox.hubspot_contacts()["bob@customer.example"]["firstname"] == "Bob"


def test_switching_to_overwrite_pushes_the_names_again_on_the_next_sync(sandbox, linked):
    account, _ = linked
    sandbox.seed("custom", **world(
        past_webinar(registrants=[BOB]),
        hubspot_contacts=[{"email": "bob@customer.example",
                           "properties": {"firstname": "Robert"}}],
    ))
    sync_one(account, 81234567890)
    assert sandbox.hubspot_contacts()["bob@customer.example"]["firstname"] == "Robert"
    settings = SyncSettings.get_solo()
    settings.contact_field_policy = SyncSettings.FieldPolicy.OVERWRITE
    settings.save()
    sync_one(account, 81234567890)  # nothing changed in Zoom: only the policy
    assert sandbox.hubspot_contacts()["bob@customer.example"]["firstname"] == "Bob"


def test_cancelled_registration_is_recorded_as_cancel(sandbox, linked):
    account, _ = linked
    sandbox.seed("custom", **world(upcoming_webinar(registrants=[ALICE, CARLA])))
    webinar, _ = sync_one(account, 89876543210)
    event = sandbox.marketing_events()["zoom-webinar-89876543210"]
    assert sorted((a["email"], a["state"]) for a in event["attendance"]) == [
        ("alice@customer.example", "register"), ("carla@prospect.example", "register")]
    assert sandbox.hubspot_contacts()["carla@prospect.example"][
        "zoomsync_webinar_registrations"] == "1"

    # Carla cancels in Zoom; Zoom's API now lists her as denied.
    response = sandbox.zoom("PUT", "/webinars/89876543210/registrants/status",
                            json={"action": "cancel",
                                  "registrants": [{"email": "carla@prospect.example"}]})
    assert response.status_code == 204, response.text
    run = webinar_sync(webinar=webinar, trigger="test")
    assert run.status == SyncRun.Status.SUCCEEDED, run.error

    event = sandbox.marketing_events()["zoom-webinar-89876543210"]
    assert ("carla@prospect.example", "cancel") in {(a["email"], a["state"])
                                                    for a in event["attendance"]}
    assert Registrant.objects.get(email="carla@prospect.example").status == "cancelled"
    carla = sandbox.hubspot_contacts()["carla@prospect.example"]
    assert carla["zoomsync_webinar_registrations"] == "0"
    assert Activity.objects.filter(contact__email="carla@prospect.example",
                                   kind=Activity.Kind.WEBINAR_CANCELLED).count() == 1


def test_pending_and_denied_registrants(sandbox, linked):
    account, _ = linked
    pending = {**CARLA, "status": "pending"}
    denied = {"email": "dan@denied.example", "first_name": "Dan", "status": "denied"}
    sandbox.seed("custom", **world(upcoming_webinar(registrants=[ALICE, pending, denied])))
    sync_one(account, 89876543210)
    contacts = sandbox.hubspot_contacts()
    assert contacts["carla@prospect.example"]["zoomsync_webinar_registrations"] == "1"
    # a denied registration is not a registration
    assert contacts["dan@denied.example"]["zoomsync_webinar_registrations"] == "0"
    states = {(a["email"], a["state"]) for a in
              sandbox.marketing_events()["zoom-webinar-89876543210"]["attendance"]}
    assert ("dan@denied.example", "register") not in states
    assert ("carla@prospect.example", "register") in states


def test_registrants_are_read_past_300_per_page(sandbox, linked):
    account, _ = linked
    sandbox.seed("bench", webinars=1, registrants=650, attendees=400)
    webinars_discover(account=account)
    webinar = Webinar.objects.get()
    webinar.sync_enabled = True
    webinar.save()
    run = webinar_sync(webinar=webinar, trigger="test")
    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    assert webinar.registrants.count() == 650
    contacts = sandbox.hubspot_contacts()
    assert len(contacts) == 650
    assert sum(c["zoomsync_webinars_attended"] == "1" for c in contacts.values()) == 400
    calls = sandbox.calls()["by_endpoint"]
    # approved: 300 + 300 + 50, then one page each for pending and denied
    assert calls["zoom GET /v2/webinars/{webinarId}/registrants"] == 5
    assert calls["hubspot POST /crm/v3/objects/contacts/batch/upsert"] == 7


def test_second_sync_with_nothing_changed_writes_nothing_to_hubspot(sandbox, linked):
    account, _ = linked
    sandbox.seed("custom", **world(
        past_webinar(registrants=[ALICE, BOB, CARLA],
                     participants=[(ALICE["email"], 0, 30), (ALICE["email"], 35, 60),
                                   (BOB["email"], 10, 20)]),
        upcoming_webinar(registrants=[ALICE]),
    ))
    webinar, _ = sync_one(account, 81234567890)
    upcoming, _ = sync_one(account, 89876543210)
    before = sandbox.state("hubspot")
    sandbox.reset_calls()

    for w in (webinar, upcoming):
        run = webinar_sync(webinar=w, trigger="test")
        assert run.status == SyncRun.Status.SUCCEEDED, run.error

    assert sandbox.hubspot_calls() == {}
    assert sandbox.state("hubspot") == before
    # Alice now has two registrations across the two synced webinars
    assert sandbox.hubspot_contacts()["alice@customer.example"][
        "zoomsync_webinar_registrations"] == "2"


def test_a_new_registration_pushes_only_what_changed(sandbox, linked):
    account, _ = linked
    sandbox.seed("custom", **world(upcoming_webinar(registrants=[ALICE])))
    webinar, _ = sync_one(account, 89876543210)
    sandbox.reset_calls()
    response = sandbox.zoom("POST", "/webinars/89876543210/registrants",
                            json={"email": "erin@new.example", "first_name": "Erin"})
    assert response.status_code == 201, response.text
    webinar_sync(webinar=webinar, trigger="test")
    calls = sandbox.hubspot_calls()
    assert calls["hubspot POST /crm/v3/objects/contacts/batch/upsert"] == 1
    event = sandbox.marketing_events()["zoom-webinar-89876543210"]
    assert sorted(a["email"] for a in event["attendance"]) == [
        "alice@customer.example", "erin@new.example"]


def test_attendance_rejected_in_part_is_not_sent_twice(sandbox, linked):
    """Attendance records are not idempotent: after a 207 only the rejected ones are retried."""
    import requests

    from integrations.hubspot.client import BatchErrors
    from integrations.services.clients import hubspot_client_for
    from webinars.services.hubspot_attendance import attendance_push

    account, portal = linked
    people = [{"email": f"p{i}@customer.example", "first_name": "P", "status": "approved"}
              for i in range(150)]
    sandbox.seed("custom", **world(upcoming_webinar(registrants=people)))
    webinar, _ = sync_one(account, 89876543210)
    registered = Activity.objects.filter(kind=Activity.Kind.WEBINAR_REGISTERED)
    registered.update(hubspot_pushed_at=None)  # as if the first push had not happened
    requests.post(f"{sandbox.url}/_sandbox/faults", timeout=5, json={
        "partial_rate": 0.1, "partial_category": "VALIDATION_ERROR", "services": ["hubspot"],
        "seed": 5}).raise_for_status()

    def records():
        return len(sandbox.marketing_events()["zoom-webinar-89876543210"]["attendance"])

    before = records()
    client = hubspot_client_for(portal=portal)
    with pytest.raises(BatchErrors) as exc:
        attendance_push(client=client, webinar=webinar)
    rejected = len(exc.value.failed_ids)
    assert rejected > 0
    unpushed = registered.filter(hubspot_pushed_at__isnull=True).count()
    # the batch that failed in part: its accepted records are marked; later batches wait
    accepted_so_far = records() - before
    assert unpushed == 150 - accepted_so_far

    requests.post(f"{sandbox.url}/_sandbox/faults", json={}, timeout=5).raise_for_status()
    attendance_push(client=client, webinar=webinar)
    assert records() - before == 150  # every registration exactly once more, none twice


def test_contact_page_shows_names_and_a_readable_timeline(sandbox, linked, admin_client):
    account, _ = linked
    sandbox.seed("custom", **world(past_webinar(
        registrants=[ALICE], participants=[(ALICE["email"], 0, 45)])))
    sync_one(account, 81234567890)
    contact = Contact.objects.get(email="alice@customer.example")
    assert (contact.first_name, contact.last_name) == ("Alice", "Archer")
    page = admin_client.get(f"/admin/contacts/contact/{contact.pk}/change/").content.decode()
    assert "45 min (75% of the session)" in page
    assert "Registration approved" in page
    assert 'name="_save"' not in page  # read-only for everyone
