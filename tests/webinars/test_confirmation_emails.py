"""One confirmation e-mail: while HubSpot registers people and sends its own confirmation, the
webinar's page warns that Zoom sends one too, and one action turns Zoom's off in Zoom."""

import pytest
from django.urls import reverse

from integrations.models import SyncSettings
from tests.scenarios import sync_one, upcoming_webinar, world
from webinars.models import RegistrationRule

pytestmark = pytest.mark.django_db(transaction=True)

WEBINAR_ID = 89876543210
WARNING = "Both Zoom and HubSpot send a confirmation"


@pytest.fixture
def webinar(sandbox, linked):
    account, _ = linked
    data = upcoming_webinar(webinar_id=WEBINAR_ID)
    data["settings"] = {"registrants_email_notification": True,
                        "registrants_confirmation_email": True}
    sandbox.seed("custom", **world(data))
    webinar, _ = sync_one(account, WEBINAR_ID)
    return webinar


def page(admin_client, webinar) -> str:
    return admin_client.get(reverse("admin:webinars_webinar_change", args=[webinar.pk])
                            ).content.decode()


def test_the_page_warns_of_two_confirmations_and_one_click_turns_zooms_off(
        admin_client, sandbox, webinar):
    assert "Zoom sends its confirmation e-mail" in page(admin_client, webinar)
    settings = SyncSettings.get_solo()
    settings.let_hubspot_send_confirmations = True
    settings.save()
    RegistrationRule.objects.create(form_guid="form-1", webinar=webinar)
    assert WARNING in page(admin_client, webinar)

    answer = admin_client.post(reverse("admin:webinars_webinar_changelist"), {
        "action": "zoom_confirmation_off", "_selected_action": [webinar.pk]}, follow=True)

    assert "Zoom&#x27;s confirmation e-mail is off for 1 webinar(s)." in answer.content.decode()
    in_zoom = sandbox.zoom("GET", f"/webinars/{WEBINAR_ID}").json()["settings"]
    assert in_zoom["registrants_confirmation_email"] is False
    shown = page(admin_client, webinar)
    assert WARNING not in shown and "Zoom sends no confirmation e-mail" in shown


def test_no_warning_while_hubspot_registers_nobody(admin_client, webinar):
    settings = SyncSettings.get_solo()
    settings.let_hubspot_send_confirmations = True
    settings.save()
    assert WARNING not in page(admin_client, webinar)
