"""factory-boy factories for rows a test needs without going through Zoom or HubSpot.

Sync tests get their rows from the sandbox through the real services; these are for the
tests about what the admin and the services do with rows that already exist (a stored run, an
account in a given state, a contact with a timeline).
"""

from datetime import UTC, datetime

import factory

from contacts.models import Activity, Contact
from integrations.models import HubSpotPortal, SyncRun, ZoomAccount
from webinars.models import Webinar
from webinars.services.runs import KIND_SYNC


class HubSpotPortalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HubSpotPortal

    name = factory.Sequence(lambda n: f"Portal {n}")
    hub_id = factory.Sequence(lambda n: str(7000 + n))
    auth_type = HubSpotPortal.AuthType.PRIVATE_APP
    access_token = "pat-na1-test-token"


class ZoomAccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ZoomAccount

    name = factory.Sequence(lambda n: f"Zoom account {n}")
    zoom_account_id = factory.Sequence(lambda n: f"zoom-account-{n}")
    auth_type = ZoomAccount.AuthType.SERVER_TO_SERVER
    client_id = "client-id"


class WebinarFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Webinar

    zoom_account = factory.SubFactory(ZoomAccountFactory)
    zoom_id = factory.Sequence(lambda n: str(81_000_000_000 + n))
    topic = factory.Sequence(lambda n: f"Webinar {n}")
    start_time = datetime(2026, 11, 10, 15, 0, tzinfo=UTC)
    duration = 60


class WebinarSyncRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SyncRun

    class Params:
        webinar = factory.SubFactory(WebinarFactory)

    kind = KIND_SYNC
    target = factory.LazyAttribute(lambda o: f"{o.webinar.topic} ({o.webinar.zoom_id})")
    target_key = factory.LazyAttribute(lambda o: o.webinar.zoom_id)
    trigger = "test"


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    email = factory.Sequence(lambda n: f"person{n}@customer.example")


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Activity

    contact = factory.SubFactory(ContactFactory)
    kind = Activity.Kind.WEBINAR_REGISTERED
    occurred_at = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
    title = "Webinar"
    source_key = factory.Sequence(lambda n: f"zoom-webinar-{81_000_000_000 + n}")
