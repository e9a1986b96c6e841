"""Which registrants reach HubSpot when contact exclusion domains are set."""

import pytest

from integrations.models import SyncSettings
from tests.scenarios import past_webinar, sync_one, world

pytestmark = pytest.mark.django_db


def person(email, name):
    return {"email": email, "first_name": name, "status": "approved"}


def test_an_excluded_domain_also_excludes_its_subdomains_but_not_lookalikes(sandbox, linked):
    account, _ = linked
    settings = SyncSettings.get_solo()
    settings.contact_exclusion_domains = "example.com"
    settings.save()
    ann, bob, cy = "ann@example.com", "bob@sales.example.com", "cy@notexample.com"
    sandbox.seed("custom", **world(past_webinar(
        registrants=[person(ann, "Ann"), person(bob, "Bob"), person(cy, "Cy")],
        participants=[(ann, 0, 60), (bob, 0, 60), (cy, 0, 60)],
    )))
    sync_one(account, 81234567890)

    assert sorted(sandbox.hubspot_contacts()) == [cy]
    attendance = sandbox.marketing_events()["zoom-webinar-81234567890"]["attendance"]
    assert sorted((a["email"], a["state"]) for a in attendance) == [
        (cy, "attend"), (cy, "register")]
