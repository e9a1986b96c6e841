"""HubSpot's contact webhooks keep the mirror in step: a contact deleted in HubSpot is
forgotten (and created anew, or left out, by the next sync that brings the person), a merge
repoints our contacts, a changed e-mail is followed. Changes are made through the sandbox's
HubSpot API; the events it would send are posted signed, as HubSpot does."""

import itertools
import time

import pytest
import requests

from contacts.models import Contact
from integrations.models import SyncRun, SyncSettings, WebhookDelivery
from tests.scenarios import sync_one, upcoming_webinar, world
from tests.webhooks import compact, hubspot_event, hubspot_v3_headers

SECRET = "hubspot-app-client-secret-Ev77"
ANN = {"email": "ann@customer.example", "first_name": "Ann", "last_name": "Lee"}
BOB = {"email": "bob@customer.example", "first_name": "Bob", "last_name": "Ray"}
FIRST, SECOND = 89876543210, 89876543211
EVENT_IDS = itertools.count(1000)


@pytest.fixture
def portal(linked):
    _account, portal = linked
    portal.client_secret = SECRET
    portal.save()
    return portal


@pytest.fixture
def first_synced(sandbox, linked, portal):
    """Ann and Bob registered for one webinar, synced; Ann also registered for a second
    webinar that is not synced yet."""
    account, _ = linked
    sandbox.seed("custom", **world(
        upcoming_webinar(webinar_id=FIRST, topic="First", registrants=[ANN, BOB]),
        upcoming_webinar(webinar_id=SECOND, topic="Second", registrants=[ANN])))
    sync_one(account, FIRST)
    return account


@pytest.fixture
def send(client, django_capture_on_commit_callbacks, portal, settings):
    """Posts HubSpot's event to our endpoint, signed v3, and runs its processing."""
    def post(kind: str, **fields) -> WebhookDelivery:
        body = compact([hubspot_event(portal_id=portal.hub_id, event_id=next(EVENT_IDS),
                                      kind=kind, occurred_at=int(time.time() * 1000),
                                      **fields)])
        headers = hubspot_v3_headers(secret=SECRET, uri=settings.PUBLIC_BASE_URL +
                                     "/webhooks/hubspot/", body=body)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/webhooks/hubspot/", body, content_type="application/json",
                                   headers=headers)
        assert response.status_code == 200, response.content
        return WebhookDelivery.objects.latest("pk")
    return post


def hubspot(sandbox, method: str, path: str, **kw):
    """Acts in HubSpot as a user would, through HubSpot's own API."""
    token = sandbox.credentials()["hubspot"]["token"]
    response = requests.request(method, f"{sandbox.url}/hubspot/crm/v3/objects/contacts{path}",
                                headers={"Authorization": f"Bearer {token}"}, timeout=10, **kw)
    assert response.status_code < 300, response.text
    return response


def hubspot_id(email: str) -> str:
    return Contact.objects.get(email=email).hubspot_id


def delete_ann(sandbox, send) -> str:
    old_id = hubspot_id(ANN["email"])
    hubspot(sandbox, "DELETE", f"/{old_id}")
    delivery = send("contact.deletion", objectId=int(old_id))
    assert delivery.status == "processed", delivery.error
    return old_id


def test_a_contact_deleted_in_hubspot_is_created_anew_when_the_person_registers_again(
        sandbox, first_synced, send):
    old_id = delete_ann(sandbox, send)

    ann = Contact.objects.get(email=ANN["email"])
    assert ann.hubspot_id == "" and ann.hubspot_deleted_at is not None
    # re-syncing the webinar she was pushed for brings nothing new: she stays deleted
    _, run = sync_one(first_synced, FIRST)
    assert ANN["email"] not in sandbox.hubspot_contacts()
    assert run.counts["contacts_deleted_in_hubspot"] == 1

    _, run = sync_one(first_synced, SECOND)
    ann.refresh_from_db()
    assert ann.hubspot_id not in ("", old_id) and ann.hubspot_deleted_at is None
    in_hubspot = sandbox.hubspot_contacts()[ANN["email"]]
    assert in_hubspot["hs_object_id"] == ann.hubspot_id
    assert in_hubspot["zoomsync_webinar_registrations"] == "2"
    event = sandbox.marketing_events()[f"zoom-webinar-{SECOND}"]
    assert [(a["email"], a["state"]) for a in event["attendance"]] == [
        (ANN["email"], "register")]


def test_with_recreation_off_a_deleted_contact_is_left_out_and_counted(
        sandbox, first_synced, send):
    settings = SyncSettings.get_solo()
    settings.recreate_deleted_contacts = False
    settings.save()
    delete_ann(sandbox, send)

    _, run = sync_one(first_synced, SECOND)
    assert ANN["email"] not in sandbox.hubspot_contacts()
    assert sandbox.marketing_events()[f"zoom-webinar-{SECOND}"]["attendance"] == []
    assert run.counts["contacts_deleted_in_hubspot"] == 1
    assert Contact.objects.get(email=ANN["email"]).hubspot_id == ""


def test_a_merge_points_both_contacts_at_the_merged_record(sandbox, first_synced, send):
    ann_id, bob_id = hubspot_id(ANN["email"]), hubspot_id(BOB["email"])
    hubspot(sandbox, "POST", "/merge",
            json={"primaryObjectId": ann_id, "objectIdToMerge": bob_id})
    delivery = send("contact.merge", objectId=int(ann_id), mergedObjectIds=[int(bob_id)],
                    primaryObjectId=int(ann_id), newObjectId=int(ann_id))

    assert delivery.status == "processed", delivery.error
    assert (hubspot_id(ANN["email"]), hubspot_id(BOB["email"])) == (ann_id, ann_id)
    # the next sync writes to the merged record, by either address, and creates nothing
    webinar, run = sync_one(first_synced, FIRST)
    assert list(sandbox.hubspot_contacts()) == [ANN["email"]]
    assert run.counts.get("contacts_created", 0) == 0


def test_an_e_mail_changed_in_hubspot_is_followed_by_the_mirror(sandbox, first_synced, send):
    ann_id = hubspot_id(ANN["email"])
    hubspot(sandbox, "PATCH", f"/{ann_id}", json={"properties": {"email": "ann@new.example"}})
    delivery = send("contact.propertyChange", objectId=int(ann_id), propertyName="email",
                    propertyValue="Ann@New.example")

    assert delivery.status == "processed", delivery.error
    assert Contact.objects.get(hubspot_id=ann_id).email == "ann@new.example"
    assert not Contact.objects.filter(email=ANN["email"]).exists()
    # Zoom still knows Ann by her old address: the next sync makes it a person of its own
    sync_one(first_synced, FIRST)
    assert set(sandbox.hubspot_contacts()) == {"ann@new.example", ANN["email"], BOB["email"]}
    assert Contact.objects.get(email=ANN["email"]).hubspot_id != ann_id


def test_an_e_mail_another_contact_of_ours_has_changes_neither(sandbox, first_synced, send):
    ann_id = hubspot_id(ANN["email"])
    delivery = send("contact.propertyChange", objectId=int(ann_id), propertyName="email",
                    propertyValue=BOB["email"])

    assert delivery.status == "processed" and "left unchanged" in delivery.note
    assert hubspot_id(ANN["email"]) == ann_id


def test_events_about_contacts_we_never_pushed_are_processed_with_a_note(
        sandbox, first_synced, send):
    notes = [send("contact.deletion", objectId=999999).note,
             send("contact.merge", objectId=999998, mergedObjectIds=[999997],
                  primaryObjectId=999998, newObjectId=999998).note,
             send("contact.propertyChange", objectId=999996, propertyName="email",
                  propertyValue="x@y.example").note]

    assert all(note.startswith("No contact of ours") for note in notes), notes
    assert not WebhookDelivery.objects.filter(status="failed").exists()
    assert SyncRun.objects.filter(status="failed").count() == 0


def test_the_settings_page_offers_both_contact_settings_and_a_contact_shows_its_deletion(
        sandbox, first_synced, send, admin_client):
    delete_ann(sandbox, send)

    settings_page = admin_client.get("/admin/integrations/syncsettings/").content.decode()
    assert "Recreate deleted contacts" in settings_page
    assert "Match secondary e-mails" in settings_page
    ann = Contact.objects.get(email=ANN["email"])
    page = admin_client.get(f"/admin/contacts/contact/{ann.pk}/change/").content.decode()
    assert "Deleted in HubSpot" in page
    listing = admin_client.get("/admin/contacts/contact/?hubspot_deleted_at__isnull=False")
    assert ANN["email"] in listing.content.decode()
    assert BOB["email"] not in listing.content.decode()
