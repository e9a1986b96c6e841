"""A marketer in a real browser: log in, tick a webinar's Sync box, save, contacts appear."""

import pytest
from django.contrib.auth import get_user_model

from integrations.models import SyncRun
from tests.scenarios import past_webinar, upcoming_webinar, world
from webinars.models import Webinar
from webinars.services.discovery import webinars_discover
from webinars.services.runs import webinar_runs

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PEOPLE = [
    {"email": "alice@customer.example", "first_name": "Alice", "last_name": "Archer",
     "status": "approved"},
    {"email": "bob@customer.example", "first_name": "Bob", "last_name": "Baker",
     "status": "approved"},
]


def test_tick_sync_checkbox_and_contacts_reach_hubspot(page, live_server, sandbox, linked):
    account, _ = linked
    sandbox.seed("custom", **world(
        past_webinar(registrants=PEOPLE, participants=[("alice@customer.example", 0, 50)]),
        upcoming_webinar(registrants=PEOPLE[:1]),
    ))
    webinars_discover(account=account)
    get_user_model().objects.create_superuser("marketer", "m@example.com", "s3cret-pass!")

    page.goto(f"{live_server.url}/admin/")
    page.fill("#id_username", "marketer")
    page.fill("#id_password", "s3cret-pass!")
    page.click("input[type=submit]")
    page.click("a[href='/admin/webinars/webinar/']")
    row = page.locator("#result_list tr", has_text="Pipeline Masterclass")
    checkbox = row.locator("input[type=checkbox][name$='-sync_enabled']")
    assert not checkbox.is_checked()
    checkbox.check()
    page.click("input[name=_save]")
    page.wait_for_selector("ul.messagelist")

    webinar = Webinar.objects.get(zoom_id="81234567890")
    assert webinar.sync_enabled
    assert webinar_runs(webinar=webinar).get().status == SyncRun.Status.SUCCEEDED
    contacts = sandbox.hubspot_contacts()
    assert set(contacts) == {"alice@customer.example", "bob@customer.example"}
    assert contacts["alice@customer.example"]["zoomsync_webinars_attended"] == "1"

    # The list now shows the sync's outcome and the box stays ticked.
    row = page.locator("#result_list tr", has_text="Pipeline Masterclass")
    assert "Succeeded" in row.inner_text()
    assert row.locator("input[type=checkbox][name$='-sync_enabled']").is_checked()
    page.click("a[href='/admin/contacts/contact/']")
    assert "alice@customer.example" in page.locator("#result_list").inner_text()
