"""The clients against a strict sandbox: tokens, rotation, pagination, rate limits, faults."""

import json
import threading
import time

import pytest
import requests

from integrations.errors import InvalidGrant, RateLimited
from integrations.models import ConnectionStatus, SyncRun, ZoomAccount
from integrations.services.clients import hubspot_client_for, zoom_client_for
from integrations.zoom.oauth import ZoomOAuth
from sandbox import SandboxServer
from tests.factories import WebinarFactory
from tests.scenarios import past_webinar, world
from webinars.models import Webinar
from webinars.services.discovery import webinars_discover
from webinars.services.sync import webinar_sync

ALICE = {"email": "alice@customer.example", "first_name": "Alice", "status": "approved"}


def control(sandbox, path, body):
    response = requests.post(f"{sandbox.url}/_sandbox/{path}", json=body, timeout=10)
    response.raise_for_status()
    return response.json() if response.content else {}


def oauth_account(sandbox, settings) -> ZoomAccount:
    """A Zoom account connected with user OAuth (authorize → code → tokens)."""
    creds = sandbox.credentials()["zoom"]
    oauth = ZoomOAuth(client_id=creds["oauth_client_id"],
                      client_secret=creds["oauth_client_secret"])
    redirect = "http://testserver/oauth/zoom/callback/"
    answer = requests.get(oauth.authorize_url(redirect_uri=redirect, state="s"),
                          allow_redirects=False, timeout=10)
    code = answer.headers["Location"].split("code=")[1].split("&")[0]
    tokens = oauth.authorization_code(code=code, redirect_uri=redirect)
    return ZoomAccount.objects.create(
        name="OAuth Zoom", zoom_account_id=creds["account_id"], auth_type="oauth",
        client_id=creds["oauth_client_id"], client_secret=creds["oauth_client_secret"],
        access_token=tokens.access_token, refresh_token=tokens.refresh_token,
        token_expires_at=tokens.expires_at,
    )


def synced_bench(sandbox, linked, registrants=650, attendees=400):
    account, _ = linked
    sandbox.seed("bench", webinars=1, registrants=registrants, attendees=attendees)
    webinars_discover(account=account)
    webinar = Webinar.objects.get()
    webinar.sync_enabled = True
    webinar.save()
    return webinar


def normalized_hubspot(sandbox) -> dict:
    """HubSpot's state without ids and timestamps, to compare two runs."""
    state = sandbox.state("hubspot")["hubspot"]
    volatile = {"hs_object_id", "createdate", "lastmodifieddate"}
    contacts = {c["properties"]["email"]: {k: v for k, v in c["properties"].items()
                                           if k not in volatile}
                for c in state["contacts"]}
    events = {e["externalEventId"]: (e["eventName"], e["eventCompleted"], sorted(
        (a["email"], a["state"], a.get("joinedAt"), a.get("leftAt")) for a in e["attendance"]))
        for e in state["marketing_events"]}
    return {"contacts": contacts, "events": events}


@pytest.mark.django_db
def test_zoom_token_expiring_mid_sync_is_renewed_without_a_failed_call(sandbox, linked):
    webinar = synced_bench(sandbox, linked)
    control(sandbox, "limits", {"zoom_token_ttl_s": 2})
    control(sandbox, "faults", {"slow_rate": 0.5, "slow_s": 0.3, "services": ["zoom"]})
    ZoomAccount.objects.update(access_token="", token_expires_at=None)
    sandbox.reset_calls()
    run = webinar_sync(webinar=webinar, trigger="test")
    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    calls = sandbox.calls()
    assert calls["by_endpoint"]["zoom POST /oauth/token"] >= 2  # renewed during the sync
    assert calls["by_status"].get("401", 0) == 0  # no call went out with a stale token
    assert calls["faults"]["slow"] > 0


@pytest.mark.django_db
def test_user_oauth_refresh_rotates_the_refresh_token(sandbox, settings):
    account = oauth_account(sandbox, settings)
    old_refresh = account.refresh_token
    ZoomAccount.objects.filter(pk=account.pk).update(token_expires_at=None)
    account.refresh_from_db()
    me = zoom_client_for(account=account).get_user("me")
    assert me["email"]
    account.refresh_from_db()
    assert account.refresh_token and account.refresh_token != old_refresh
    creds = sandbox.credentials()["zoom"]
    with pytest.raises(InvalidGrant):  # the old refresh token died with the rotation
        ZoomOAuth(client_id=creds["oauth_client_id"],
                  client_secret=creds["oauth_client_secret"]).refresh(refresh_token=old_refresh)


@pytest.mark.django_db(transaction=True)
def test_two_workers_refreshing_at_once_refresh_once(sandbox, settings):
    account = oauth_account(sandbox, settings)
    ZoomAccount.objects.filter(pk=account.pk).update(token_expires_at=None)
    sandbox.reset_calls()
    results, errors = [], []

    def worker():
        try:
            fresh = ZoomAccount.objects.get(pk=account.pk)
            results.append(zoom_client_for(account=fresh).get_user("me")["id"])
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert len(results) == 2
    assert sandbox.calls()["by_endpoint"]["zoom POST /oauth/token"] == 1
    account.refresh_from_db()
    assert account.status == ConnectionStatus.CONNECTED


@pytest.mark.django_db
def test_invalid_grant_marks_the_account_reconnect_needed(sandbox, settings, admin_client):
    from integrations.services.accounts import hubspot_portal_connect_private_app

    hubspot_portal_connect_private_app(token=sandbox.credentials()["hubspot"]["token"])
    account = oauth_account(sandbox, settings)
    ZoomAccount.objects.filter(pk=account.pk).update(
        refresh_token="not-a-valid-refresh-token", token_expires_at=None)
    sandbox.seed("custom", **world(past_webinar(registrants=[ALICE])))
    account.refresh_from_db()
    webinar = WebinarFactory(zoom_account=account, zoom_id="81234567890",
                             topic="Pipeline Masterclass", sync_enabled=True)
    run = webinar_sync(webinar=webinar, trigger="test")
    assert run.status == SyncRun.Status.FAILED
    assert "needs to be reconnected" in run.error
    account.refresh_from_db()
    assert account.status == ConnectionStatus.RECONNECT_NEEDED
    assert not account.access_token
    assert account.last_error.startswith("Zoom no longer accepts its refresh token")
    page = admin_client.get("/admin/").content.decode()
    assert (f"Zoom account “{account.name}” needs to be reconnected: Zoom no longer accepts "
            "its refresh token") in page
    assert page.count("needs to be reconnected") == 1
    assert "not-a-valid-refresh-token" not in page


@pytest.mark.django_db
def test_expired_page_token_restarts_the_listing_without_loss_or_duplicates(sandbox, linked):
    webinar = synced_bench(sandbox, linked, registrants=950, attendees=0)
    client = zoom_client_for(account=webinar.zoom_account)
    seen = []
    for number, page in enumerate(client.iter_registrant_pages(webinar.zoom_id, "approved")):
        assert page.total_records == 950  # known from the first page, for progress bars
        seen.extend(row["id"] for row in page)
        if number == 1:  # 15 minutes pass between two pages
            sandbox.expire_page_tokens()
    assert len(seen) == 950 and len(set(seen)) == 950
    calls = sandbox.calls()["by_endpoint"]["zoom GET /v2/webinars/{webinarId}/registrants"]
    assert calls > 4  # 4 pages, plus the restart


@pytest.mark.django_db
@pytest.mark.parametrize("form", ["seconds", "milliseconds", "iso"])
def test_429_is_retried_after_the_time_the_service_asks(sandbox, linked, form):
    _, portal = linked
    control(sandbox, "faults", {"rate_limit_rate": 0.4, "retry_after": form,
                                "retry_after_s": 0.3, "services": ["hubspot"], "seed": 7})
    client = hubspot_client_for(portal=portal)
    for _ in range(8):
        assert client.list_property_groups()
    assert client.stats["rate_limited"] > 0
    assert client.stats["retries"] >= client.stats["rate_limited"]


@pytest.mark.django_db
def test_a_long_retry_after_fails_fast_with_rate_limited(sandbox, linked, settings):
    _, portal = linked
    settings.API_MAX_RETRY_WAIT_S = 1
    control(sandbox, "faults", {"rate_limit_rate": 1.0, "retry_after": "seconds",
                                "retry_after_s": 3600, "services": ["hubspot"]})
    with pytest.raises(RateLimited) as exc:
        hubspot_client_for(portal=portal).list_property_groups()
    assert exc.value.retry_after == pytest.approx(3600, abs=5)
    assert "retry after 3600 s" in exc.value.message


@pytest.mark.django_db
def test_partial_batch_failure_is_retried_for_the_failed_inputs_only(settings, tmp_path, db):
    record = tmp_path / "exchanges.jsonl"
    with SandboxServer(record_path=str(record)) as server:
        settings.HUBSPOT_API_BASE_URL = f"{server.url}/hubspot"
        token = requests.get(f"{server.url}/_sandbox/credentials", timeout=5).json()[
            "hubspot"]["token"]
        requests.post(f"{server.url}/_sandbox/faults", json={
            "partial_rate": 0.2, "services": ["hubspot"], "seed": 3}, timeout=5)
        from integrations.hubspot.client import HubSpotClient

        client = HubSpotClient(access_token=token)
        emails = [f"person{i}@partial.example" for i in range(250)]
        results = client.upsert_contacts([{"email": e, "properties": {"firstname": "P"}}
                                          for e in emails])
        state = requests.get(f"{server.url}/_sandbox/state?section=hubspot", timeout=5).json()
    assert sorted(r["properties"]["email"] for r in results) == sorted(emails)
    assert sorted(c["properties"]["email"] for c in state["hubspot"]["contacts"]) == sorted(
        emails)
    upserts = [json.loads(line) for line in record.read_text().splitlines()]
    upserts = [x for x in upserts if x["path"].endswith("/batch/upsert")]
    failed_total = sum(len(e["context"]["ids"]) for x in upserts
                       for e in (x["response_body"] or {}).get("errors", []))
    sent_total = sum(len(x["request_body"]["inputs"]) for x in upserts)
    assert failed_total > 0
    assert sent_total == 250 + failed_total  # only failed inputs were sent again


@pytest.mark.django_db
def test_typed_errors_are_surfaced_on_the_sync_run(sandbox, linked):
    account, _ = linked
    sandbox.seed("custom", **world(past_webinar(registrants=[ALICE])))
    webinars_discover(account=account)
    webinar = Webinar.objects.get()
    # an id Zoom refuses (a deleted webinar is no error: see test_deleted_webinars)
    Webinar.objects.filter(pk=webinar.pk).update(zoom_id="8123456789O")
    webinar.refresh_from_db()
    run = webinar_sync(webinar=webinar, trigger="test")
    assert run.status == SyncRun.Status.FAILED
    assert "HTTP 400" in run.error and "Invalid webinar ID" in run.error


@pytest.mark.django_db
def test_at_hubspots_real_limit_a_2000_registrant_sync_gets_no_429(sandbox, linked, settings):
    settings.HUBSPOT_RATE_LIMIT_PER_10S = 190
    settings.ZOOM_QPS = {"light": 8, "medium": 4, "heavy": 2}
    webinar = synced_bench(sandbox, linked, registrants=2000, attendees=1400)
    control(sandbox, "limits", {"hubspot_per_10s": 190,
                                "zoom_qps": {"light": 8, "medium": 4, "heavy": 2}})
    sandbox.reset_calls()
    run = webinar_sync(webinar=webinar, trigger="test")
    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    assert sandbox.calls()["rate_limited"] == 0
    assert len(sandbox.hubspot_contacts()) == 2000


@pytest.mark.django_db
def same_hour_for_a_while(sandbox, *, needed_s: int = 600) -> None:
    """The bench world is laid out from the start of the current hour: a test seeding it twice
    must not straddle an hour. With less than `needed_s` left in this one, the sandbox's clock
    moves on into the next."""
    left = 3600 - time.time() % 3600
    if left < needed_s:
        control(sandbox, "clock", {"advance_s": int(left) + 1})


def test_faults_do_not_change_the_end_state(sandbox, linked):
    from contacts.models import Contact
    from integrations.models import HubSpotPortal

    same_hour_for_a_while(sandbox)
    webinar = synced_bench(sandbox, linked, registrants=2000, attendees=1400)
    run = webinar_sync(webinar=webinar, trigger="fault-free")
    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    expected = normalized_hubspot(sandbox)

    # the same world again, from scratch, through a flaky network
    Webinar.objects.all().delete()
    Contact.objects.all().delete()
    HubSpotPortal.objects.update(properties_hash="")
    webinar = synced_bench(sandbox, linked, registrants=2000, attendees=1400)
    control(sandbox, "faults", {"error_rate": 0.1, "rate_limit_rate": 0.05,
                                "reset_rate": 0.02, "retry_after": "milliseconds",
                                "retry_after_s": 0.05, "seed": 11})
    run = webinar_sync(webinar=webinar, trigger="faulty")
    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    faults = sandbox.calls()["faults"]
    assert faults["error"] > 0 and faults["rate_limit"] > 0 and faults["reset"] > 0
    assert normalized_hubspot(sandbox) == expected


@pytest.mark.django_db
def test_hubspot_listing_follows_after_to_the_last_page(sandbox, linked):
    _, portal = linked
    client = hubspot_client_for(portal=portal)
    client.upsert_contacts([{"email": f"p{i}@list.example", "properties": {"firstname": "P"}}
                            for i in range(230)])
    sandbox.reset_calls()
    emails = [c["properties"]["email"] for c in client.iter_contacts(["email", "firstname"])]
    assert len(emails) == 230 and len(set(emails)) == 230
    assert sandbox.calls()["by_endpoint"]["hubspot GET /crm/v3/objects/contacts"] == 3


@pytest.mark.django_db
def test_hubspot_daily_limit_fails_at_once_with_a_clear_message(sandbox, linked):
    _, portal = linked
    control(sandbox, "limits", {"hubspot_daily": 1})
    client = hubspot_client_for(portal=portal)
    client.list_property_groups()
    sandbox.reset_calls()
    with pytest.raises(RateLimited) as exc:
        client.list_property_groups()
    assert "daily API limit" in exc.value.message
    assert sandbox.calls()["total"] == 1  # no pointless retries
