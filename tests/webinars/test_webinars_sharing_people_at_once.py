"""Syncs of different webinars run side by side on a fleet of workers; when the same people
registered for both, each person's roll-ups in HubSpot still count both webinars."""

import pytest

from contacts.models import Contact
from integrations.models import SyncRun
from tests.scenarios import past_webinar, world
from webinars.models import Webinar
from webinars.services.discovery import webinars_discover
from webinars.services.sync import STEP_PUSH_CONTACTS, webinar_sync

pytestmark = pytest.mark.django_db

# 250 people: the first 200 go out in two full batches, the last 50 in a batch of their own
PEOPLE = [{"email": f"person{n}@customer.example", "first_name": "Person",
           "last_name": str(n), "status": "approved"} for n in range(250)]


def test_a_push_overtaken_by_another_webinars_sync_sends_the_newer_numbers(sandbox, linked):
    account, _ = linked
    sandbox.seed("custom", **world(
        past_webinar(webinar_id=81111111111, topic="Spring Launch", uuid="springUUID==",
                     registrants=PEOPLE, participants=[(p["email"], 0, 30) for p in PEOPLE]),
        past_webinar(webinar_id=82222222222, topic="Autumn Launch", uuid="autumnUUID==",
                     registrants=PEOPLE, participants=[(p["email"], 0, 15) for p in PEOPLE]),
        # five of them were in HubSpot before, under names of HubSpot's own
        hubspot_contacts=[{"email": p["email"], "properties": {"firstname": "Known"}}
                          for p in PEOPLE[:5]],
    ))
    webinars_discover(account=account)
    spring, autumn = (Webinar.objects.get(zoom_id="81111111111"),
                      Webinar.objects.get(zoom_id="82222222222"))
    other = []

    def on_progress(run):
        # Spring's contacts were read with their roll-ups and 200 of them are out; before
        # the last 50 go, another worker syncs Autumn, with the same people, from start to
        # end: Spring's last batch then carries numbers older than HubSpot's.
        if run.counts.get("step") == STEP_PUSH_CONTACTS and run.done >= 750 and not other:
            other.append(webinar_sync(webinar=autumn, trigger="other worker"))

    first = webinar_sync(webinar=spring, trigger="test", on_progress=on_progress)

    assert [r.status for r in (*other, first)] == [SyncRun.Status.SUCCEEDED] * 2
    rollups = {(c["zoomsync_webinar_registrations"], c["zoomsync_webinars_attended"],
                c["zoomsync_avg_attendance_minutes"])
               for c in sandbox.hubspot_contacts().values()}
    assert rollups == {("2", "2", "22.5")}
    # pushed again with the newer numbers, with the same care as the first time
    known = [sandbox.hubspot_contacts()[p["email"]] for p in PEOPLE[:5]]
    assert {(c["firstname"], c.get("zoomsync_source") or "") for c in known} == {("Known", "")}
    assert not Contact.objects.filter(email__in=[p["email"] for p in PEOPLE[:5]],
                                      created_by_sync=True).exists()
    assert Contact.objects.filter(created_by_sync=True).count() == 245
