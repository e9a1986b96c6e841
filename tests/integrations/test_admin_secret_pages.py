"""No admin page shows a stored secret — to a superuser or to staff who may only view — and
only people who may change linked accounts and webinars can act on them."""

import re
from datetime import UTC, datetime

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.urls import reverse

from integrations.models import HubSpotPortal, SyncRun, ZoomAccount
from tests.factories import (
    HubSpotPortalFactory,
    WebinarFactory,
    WebinarSyncRunFactory,
    ZoomAccountFactory,
)
from webinars.models import Webinar

pytestmark = pytest.mark.django_db

SECRETS = {
    "Zoom client secret": "zoom-client-secret-Vb81qL",
    "Zoom webhook secret": "zoom-webhook-secret-Hq27xP",
    "Zoom access token": "zoom-access-token-Kd55wN",
    "Zoom refresh token": "zoom-refresh-token-Ra90mT",
    "HubSpot token": "pat-na1-hubspot-token-Zc31sJ",
    "HubSpot refresh token": "hubspot-refresh-token-Lm64eY",
    "HubSpot client secret": "hubspot-client-secret-Pw12gU",
    "Zoom client secret entered in the admin": "zoom-client-secret-new-Xy09cF",
}
APPS = ("integrations", "webinars", "contacts")


@pytest.fixture
def stored(sandbox):
    """Linked accounts holding every kind of secret, a webinar, a run, one account that needs
    reconnecting. The base URLs point at the (empty) sandbox, so nothing reaches the internet."""
    portal = HubSpotPortalFactory(
        name="Main portal", auth_type=HubSpotPortal.AuthType.OAUTH,
        access_token=SECRETS["HubSpot token"], refresh_token=SECRETS["HubSpot refresh token"],
        client_secret=SECRETS["HubSpot client secret"])
    account = ZoomAccountFactory(
        name="Marketing Zoom", auth_type=ZoomAccount.AuthType.OAUTH,
        client_secret=SECRETS["Zoom client secret"],
        webhook_secret=SECRETS["Zoom webhook secret"],
        access_token=SECRETS["Zoom access token"], refresh_token=SECRETS["Zoom refresh token"],
        token_expires_at=datetime(2030, 1, 1, tzinfo=UTC), hubspot_portal=portal,
        status="reconnect_needed", last_error="Zoom no longer accepts its refresh token.")
    webinar = WebinarFactory(zoom_account=account, sync_enabled=True)
    WebinarSyncRunFactory(webinar=webinar, status=SyncRun.Status.SUCCEEDED)
    return account, portal, webinar


def staff(django_user_model, name: str, *codenames: str):
    user = django_user_model.objects.create_user(name, f"{name}@example.com", "pw-123456!",
                                                 is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    return user


def view_only_staff(django_user_model):
    codenames = [f"view_{model._meta.model_name}" for model in admin.site._registry
                 if model._meta.app_label in APPS]
    return staff(django_user_model, "viewer", *codenames)


def every_admin_page(client, models_with_rows) -> dict[str, str]:
    """The admin index, each app's index, and every list, change (or view) and history page of
    the product's models, as the logged-in user sees them."""
    urls = ["/admin/", *(f"/admin/{app}/" for app in APPS)]
    for model in admin.site._registry:
        opts = model._meta
        if opts.app_label not in APPS:
            continue
        urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
        for obj in model._default_manager.all()[:3]:
            for page in ("change", "history"):
                urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_{page}",
                                    args=[obj.pk]))
    pages = {}
    for url in urls:
        response = client.get(url, follow=True)
        assert response.status_code == 200, url
        pages[url] = response.content.decode()
    for model in models_with_rows:  # the pages that matter were really among them
        opts = model._meta
        assert any(f"/admin/{opts.app_label}/{opts.model_name}/" in url and "change" in url
                   for url in pages), model
    return pages


def assert_no_secret(pages: dict[str, str]):
    for url, html in pages.items():
        for name, value in SECRETS.items():
            assert value not in html, f"{name} is shown on {url}"


def test_superuser_sees_no_secret_on_any_admin_page(stored, client, django_user_model):
    root = django_user_model.objects.create_superuser("root", "root@example.com", "pw-123456!")
    client.force_login(root)
    account, portal, _ = stored
    # a new secret entered through the admin leaves a history entry to look at
    response = client.post(f"/admin/integrations/zoomaccount/{account.pk}/change/", {
        "name": "Marketing Zoom", "zoom_account_id": account.zoom_account_id,
        "auth_type": "oauth", "client_id": "client-id",
        "client_secret": SECRETS["Zoom client secret entered in the admin"],
        "webhook_secret": "", "hubspot_portal": portal.pk})
    assert response.status_code == 302
    account.refresh_from_db()
    assert account.client_secret == SECRETS["Zoom client secret entered in the admin"]
    assert account.webhook_secret == SECRETS["Zoom webhook secret"]  # blank kept it

    pages = every_admin_page(client, [ZoomAccount, HubSpotPortal, Webinar, SyncRun])
    assert_no_secret(pages)
    change_page = pages[f"/admin/integrations/zoomaccount/{account.pk}/change/"]
    assert 'type="password"' in change_page and "Stored (hidden)" in change_page
    assert "Changed Client secret" in pages[
        f"/admin/integrations/zoomaccount/{account.pk}/history/"]


def test_view_only_staff_sees_only_whether_secrets_are_set(stored, client, django_user_model):
    client.force_login(view_only_staff(django_user_model))
    account, portal, _ = stored
    pages = every_admin_page(client, [ZoomAccount, HubSpotPortal, Webinar, SyncRun])
    assert_no_secret(pages)

    account_page = pages[f"/admin/integrations/zoomaccount/{account.pk}/change/"]
    assert "View Zoom account" in account_page  # the read-only page, not a form
    assert 'type="password"' not in account_page
    assert re.search(r"Client secret:</label>\s*<div class=\"readonly\">set</div>", account_page)
    assert re.search(r"Webhook secret:</label>\s*<div class=\"readonly\">set</div>",
                     account_page)
    portal_page = pages[f"/admin/integrations/hubspotportal/{portal.pk}/change/"]
    assert re.search(r"Access token:</label>\s*<div class=\"readonly\">set</div>", portal_page)
    listing = pages["/admin/integrations/zoomaccount/"]
    assert "client secret, webhook secret, token, refresh token" in listing


def test_a_secret_that_is_not_stored_shows_as_not_set(sandbox, client, django_user_model):
    account = ZoomAccountFactory(client_secret="", webhook_secret="")
    client.force_login(view_only_staff(django_user_model))
    page = client.get(f"/admin/integrations/zoomaccount/{account.pk}/change/").content.decode()
    assert re.search(r"Client secret:</label>\s*<div class=\"readonly\">not set</div>", page)


# --- what view-only staff can do -----------------------------------------------------------

ACTIONS = [
    ("/admin/webinars/webinar/", "sync_now", "webinar"),
    ("/admin/webinars/webinar/", "enable_sync", "webinar"),
    ("/admin/webinars/webinar/", "disable_sync", "webinar"),
    ("/admin/integrations/zoomaccount/", "test_connection", "account"),
    ("/admin/integrations/zoomaccount/", "disconnect_oauth", "account"),
    ("/admin/integrations/zoomaccount/", "backfill_past_webinars", "account"),
    ("/admin/integrations/hubspotportal/", "test_connection", "portal"),
]


def snapshot():
    return {
        "runs": SyncRun.objects.count(),
        "webinars": list(Webinar.objects.values_list("pk", "sync_enabled")),
        "accounts": list(ZoomAccount.objects.values_list(
            "pk", "status", "last_checked_at", "access_token", "refresh_token")),
        "portals": list(HubSpotPortal.objects.values_list("pk", "status", "last_checked_at")),
    }


@pytest.mark.parametrize(("url", "action", "target"), ACTIONS,
                         ids=[f"{url.split('/')[3]}-{action}" for url, action, _ in ACTIONS])
def test_view_only_staff_cannot_run_an_action(stored, client, django_user_model, url, action,
                                              target):
    account, portal, webinar = stored
    Webinar.objects.filter(pk=webinar.pk).update(sync_enabled=action == "disable_sync")
    client.force_login(view_only_staff(django_user_model))
    pk = {"webinar": webinar.pk, "account": account.pk, "portal": portal.pk}[target]
    before = snapshot()
    page = client.get(url).content.decode()
    assert f'value="{action}"' not in page  # not offered ...
    for extra in ({}, {"apply": "1", "since": "2026-01-01"}):  # ... nor done when posted
        response = client.post(url, {"action": action, "_selected_action": [pk], **extra},
                               follow=True)
        assert response.status_code in (200, 403)
    assert snapshot() == before


def test_an_editor_can_run_the_same_action(stored, client, django_user_model):
    """The control for the test above: the same POST from someone who may change webinars."""
    _, _, webinar = stored
    client.force_login(staff(django_user_model, "editor", "view_webinar", "change_webinar"))
    assert 'value="disable_sync"' in client.get("/admin/webinars/webinar/").content.decode()
    client.post("/admin/webinars/webinar/", {"action": "disable_sync",
                                             "_selected_action": [webinar.pk]})
    webinar.refresh_from_db()
    assert not webinar.sync_enabled


def test_view_only_staff_cannot_tick_the_sync_box(stored, client, django_user_model):
    _, _, webinar = stored
    client.force_login(view_only_staff(django_user_model))
    response = client.post("/admin/webinars/webinar/", {
        "form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "1", "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000", "form-0-id": str(webinar.pk), "_save": "Save"})
    assert response.status_code == 403
    webinar.refresh_from_db()
    assert webinar.sync_enabled
    assert not SyncRun.objects.exclude(trigger="test").exists()


def test_connect_buttons_are_offered_only_to_those_who_may_use_them(stored, client,
                                                                     django_user_model):
    client.force_login(view_only_staff(django_user_model))
    assert "Connect a Zoom account (OAuth)" not in client.get(
        "/admin/integrations/zoomaccount/").content.decode()
    assert client.get("/oauth/zoom/connect/").status_code == 403
    client.force_login(staff(django_user_model, "zoom-editor", "view_zoomaccount",
                             "change_zoomaccount"))
    assert "Connect a Zoom account (OAuth)" in client.get(
        "/admin/integrations/zoomaccount/").content.decode()


# --- the reconnect banner -------------------------------------------------------------------


def test_reconnect_banner_shows_only_to_those_who_can_reconnect(stored, client,
                                                                 django_user_model):
    HubSpotPortal.objects.update(status="reconnect_needed", last_error="HubSpot said no.")
    zoom_notice, hubspot_notice = ("Zoom account “Marketing Zoom” needs to be reconnected",
                                   "HubSpot portal “Main portal” needs to be reconnected")

    client.force_login(staff(django_user_model, "nobody"))
    page = client.get("/admin/").content.decode()
    assert zoom_notice not in page and "refresh token" not in page

    client.force_login(view_only_staff(django_user_model))
    page = client.get("/admin/").content.decode()
    assert zoom_notice not in page and hubspot_notice not in page

    client.force_login(staff(django_user_model, "zoom-editor", "change_zoomaccount"))
    page = client.get("/admin/").content.decode()
    assert zoom_notice in page and hubspot_notice not in page

    client.force_login(django_user_model.objects.create_superuser("root", "r@x.example", "pw"))
    page = client.get("/admin/").content.decode()
    assert zoom_notice in page and hubspot_notice in page
