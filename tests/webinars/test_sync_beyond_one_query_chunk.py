"""A webinar larger than what the sync reads from the database at a time (2,000 rows): every
person pushed once, every registration recorded once, in full batches of 100."""

from collections import Counter

import pytest

from integrations.models import SyncRun
from webinars.models import Webinar
from webinars.services.discovery import webinars_discover
from webinars.services.sync import webinar_sync

pytestmark = pytest.mark.django_db

READ = "hubspot POST /crm/v3/objects/contacts/batch/read"
UPSERT = "hubspot POST /crm/v3/objects/contacts/batch/upsert"
RECORD = ("hubspot POST /marketing/v3/marketing-events/attendance/{externalEventId}/"
          "{subscriberState}/email-create")


def test_2050_registrants_are_pushed_and_recorded_exactly_once(sandbox, linked,
                                                                django_assert_max_num_queries):
    account, _ = linked
    sandbox.seed("bench", webinars=1, registrants=2050, attendees=10)
    webinars_discover(account=account)
    webinar = Webinar.objects.get()
    sandbox.reset_calls()
    # database queries grow with batches, not rows: about a hundred here, where a query per
    # row would be thousands
    with django_assert_max_num_queries(150):
        run = webinar_sync(webinar=webinar, trigger="test")
    assert run.status == SyncRun.Status.SUCCEEDED, run.error

    calls = sandbox.hubspot_calls()
    assert (calls[READ], calls[UPSERT]) == (21, 21)  # ⌈2050 / 100⌉ each
    assert calls[RECORD] == 21 + 1  # registrations, then the 10 attendances
    assert run.counts["contacts_pushed"] == 2050 and run.counts["contacts_created"] == 2050
    assert run.counts["attendance_recorded"] == 2060
    contacts = sandbox.hubspot_contacts()
    assert len(contacts) == 2050
    assert Counter(c["zoomsync_webinar_registrations"] for c in contacts.values()) == {
        "1": 2050}
    assert Counter(c["zoomsync_webinars_attended"] for c in contacts.values()) == {
        "0": 2040, "1": 10}
    [event] = sandbox.marketing_events().values()
    records = Counter((a["email"], a["state"]) for a in event["attendance"])
    assert len(records) == 2060 and set(records.values()) == {1}
    assert Counter(state for _, state in records) == {"register": 2050, "attend": 10}

    sandbox.reset_calls()
    webinar_sync(webinar=webinar, trigger="test")
    assert sandbox.hubspot_calls() == {}
