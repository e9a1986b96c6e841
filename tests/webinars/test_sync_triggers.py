"""Ticking a webinar's Sync box hands its sync to a worker only once the save is committed."""

import pytest
from django.db import transaction
from django_q.models import OrmQ

from integrations.models import SyncRun
from tests.scenarios import past_webinar, world
from webinars.models import Webinar
from webinars.services.discovery import webinars_discover
from webinars.services.runs import webinar_runs
from webinars.services.triggers import webinar_sync_toggle

pytestmark = pytest.mark.django_db

ALICE = {"email": "alice@customer.example", "first_name": "Alice", "status": "approved"}


@pytest.fixture
def webinar(sandbox, linked):
    account, _ = linked
    sandbox.seed("custom", **world(past_webinar(registrants=[ALICE],
                                                participants=[(ALICE["email"], 0, 30)])))
    webinars_discover(account=account)
    return Webinar.objects.get()


@pytest.fixture
def queue_for_workers(monkeypatch):
    """Tasks go onto django-q2's queue (the ORM broker) instead of running in this process."""
    from django_q.tasks import Conf

    monkeypatch.setattr(Conf, "SYNC", False)


def tick_in_admin_list(admin_client, webinar):
    return admin_client.post("/admin/webinars/webinar/", {
        "form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "1", "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000", "form-0-id": str(webinar.pk),
        "form-0-sync_enabled": "on", "_save": "Save"})


def test_ticking_sync_in_the_admin_queues_the_sync_once_the_save_commits(
        webinar, admin_client, queue_for_workers, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        response = tick_in_admin_list(admin_client, webinar)
        assert response.status_code == 302
        # the save has not committed yet: a worker must find nothing to pick up
        assert list(OrmQ.objects.all()) == []

    assert len(callbacks) == 1
    callbacks[0]()  # the commit
    queued = OrmQ.objects.get()
    run = webinar_runs(webinar=webinar).get()
    assert queued.func() == "webinars.tasks.sync_webinar"
    assert queued.args() == (webinar.pk, run.pk)
    assert run.status == SyncRun.Status.QUEUED and run.trigger == "checkbox"


def test_a_tick_saved_in_a_transaction_is_queued_at_commit_not_before(
        webinar, queue_for_workers, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            webinar_sync_toggle(webinar=webinar, enabled=True, trigger="checkbox")
            assert OrmQ.objects.count() == 0, "queued while the transaction was still open"
        assert OrmQ.objects.count() == 0, "queued before the outer transaction committed"

    assert len(callbacks) == 1
    assert OrmQ.objects.count() == 1


def test_a_tick_whose_save_rolls_back_syncs_nothing(
        webinar, sandbox, django_capture_on_commit_callbacks):
    # Tasks run in this process here (the test settings): a task started before the commit
    # would reach HubSpot at once.
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            webinar_sync_toggle(webinar=webinar, enabled=True, trigger="checkbox")
            raise RuntimeError("the rest of the admin save failed")

    assert callbacks == []
    assert OrmQ.objects.count() == 0
    webinar.refresh_from_db()
    assert not webinar.sync_enabled
    assert not SyncRun.objects.exists()
    assert sandbox.hubspot_contacts() == {}
    assert sandbox.marketing_events() == {}
