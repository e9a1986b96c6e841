"""Finding the webinars of a linked Zoom account: the upcoming ones, and (backfill) the past."""

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils import timezone

from integrations.errors import IntegrationError, NotFound
from integrations.models import SyncRun, SyncSettings, ZoomAccount
from integrations.services.clients import zoom_client_for
from integrations.services.zoom_users import zoom_users_list
from integrations.timefmt import parse_api_time

from ..models import Lifecycle, Webinar
from .lifecycle import webinar_lifecycle_seen, webinar_lifecycle_set
from .mirror import webinar_instance_sync_from_zoom, webinar_sync_from_zoom
from .runs import discovery_run_create

logger = logging.getLogger(__name__)

BACKFILL_DEFAULT_MONTHS = 6


def webinars_discover(*, account: ZoomAccount, client=None) -> list[Webinar]:
    """Mirrors every unexpired webinar of every user (host) of the account; the users are
    remembered as the account's own people on the way."""
    client = client or zoom_client_for(account=account)
    excluded_hosts = SyncSettings.get_solo().excluded_hosts
    webinars = []
    for user in zoom_users_list(account=account, client=client):
        if (user.get("email") or "").lower() in excluded_hosts:
            continue
        for item in client.iter_user_webinars(user["id"]):
            item.setdefault("host_email", user.get("email", ""))
            webinar = webinar_sync_from_zoom(account=account, data=item)
            webinar_lifecycle_seen(webinar=webinar)
            webinars.append(webinar)
    return webinars


def backfill_default_since(today: date | None = None) -> date:
    return add_months(today or timezone.localdate(), -BACKFILL_DEFAULT_MONTHS)


def add_months(day: date, months: int) -> date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return date(year, month, d)
        except ValueError:
            continue
    raise ValueError(day)  # unreachable: every month has a 28th


def month_windows(since: date, until: date) -> Iterator[tuple[date, date]]:
    """[from, to] date ranges covering since…until, each at most the one month Zoom's history
    report accepts."""
    start = since
    while start <= until:
        end = min(add_months(start, 1) - timedelta(days=1), until)
        yield start, end
        start = end + timedelta(days=1)


@dataclass
class BackfillResult:
    run: SyncRun
    webinars: list[Webinar] = field(default_factory=list)  # found: upcoming + held since
    new: int = 0

    @property
    def ok(self) -> bool:
        return self.run.status == SyncRun.Status.SUCCEEDED


def webinars_backfill(*, account: ZoomAccount, since: date, trigger: str = "backfill",
                      run: SyncRun | None = None,
                      on_progress: Callable[[SyncRun], None] | None = None) -> BackfillResult:
    """Discovers every webinar of the account: the upcoming ones (each host's list) and every
    webinar held since `since` (Zoom's history report, one month per call, which also lists
    webinars that have expired from the hosts' lists). New ones are mirrored with their full
    details; nothing is synced here — the caller syncs the enabled ones.

    Recorded as a "discovery" sync run whose progress counts months read and webinars looked
    up; never raises for API problems (the run carries the error).
    """
    run = run or discovery_run_create(account=account, since=since, trigger=trigger)
    today = timezone.localdate()
    windows = list(month_windows(since, today))
    run.status, run.started_at, run.error = SyncRun.Status.RUNNING, timezone.now(), ""
    run.done, run.total = 0, len(windows) + 1
    run.save(update_fields=["status", "started_at", "error", "done", "total"])
    result = BackfillResult(run=run)

    def advance(n=1, more=0):
        run.done += n
        run.total += more
        run.save(update_fields=["done", "total"])
        if on_progress:
            on_progress(run)

    try:
        client = zoom_client_for(account=account)
        known = set(Webinar.objects.filter(zoom_account=account).values_list("zoom_id",
                                                                              flat=True))
        found: dict[str, Webinar] = {w.zoom_id: w for w in
                                     webinars_discover(account=account, client=client)}
        advance()
        excluded_hosts = SyncSettings.get_solo().excluded_hosts
        held: dict[str, list[dict]] = {}  # webinar id -> its history rows (held sessions)
        for date_from, date_to in windows:
            for page in client.iter_past_webinar_pages(date_from=date_from.isoformat(),
                                                       date_to=date_to.isoformat()):
                for row in page:
                    if (row.get("host_email") or "").lower() in excluded_hosts:
                        continue
                    held.setdefault(str(row["meeting_id"]), []).append(row)
            advance()
        lookups = [zoom_id for zoom_id in held if zoom_id not in found]
        advance(0, more=len(lookups))
        for zoom_id in lookups:
            webinar = Webinar.objects.filter(zoom_id=zoom_id).first()
            if webinar is None:
                webinar = _webinar_mirror(client, account=account, history_rows=held[zoom_id])
            found[zoom_id] = webinar
            advance()
        for zoom_id in held:
            # the history report lists a session of it: it was held after all
            if found[zoom_id].lifecycle == Lifecycle.NOT_HELD:
                webinar_lifecycle_set(webinar=found[zoom_id], lifecycle=Lifecycle.ACTIVE)
    except IntegrationError as exc:
        run.status, run.error = SyncRun.Status.FAILED, exc.message
    except Exception as exc:  # a bug: keep the worker alive, show it, log the traceback
        logger.exception("Backfill of %s crashed", account)
        run.status = SyncRun.Status.FAILED
        run.error = f"Unexpected error ({type(exc).__name__}): {exc}"
    else:
        run.status = SyncRun.Status.SUCCEEDED
        result.webinars = sorted(found.values(), key=lambda w: (
            w.start_time is None, w.start_time))
        result.new = sum(1 for zoom_id in found if zoom_id not in known)
        run.counts = {"webinars_found": len(found), "webinars_new": result.new,
                      "webinars_enabled": sum(w.sync_enabled for w in found.values()),
                      "held_since": since.isoformat()}
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "error", "counts", "finished_at"])
    return result


def _webinar_mirror(client, *, account: ZoomAccount, history_rows: list[dict]) -> Webinar:
    """The full webinar (type, occurrences, settings) when Zoom still has it. One deleted after
    it was held is mirrored from its history rows, marked deleted, with the sessions they list:
    its sync reads them from Zoom's reports, which outlive the webinar."""
    first = history_rows[0]
    try:
        data = client.get_webinar(str(first["meeting_id"]))
    except NotFound:
        data = None
    if data is not None:
        data.setdefault("host_email", first.get("host_email", ""))
        return webinar_sync_from_zoom(account=account, data=data)
    webinar = webinar_sync_from_zoom(account=account, data={
        "id": first["meeting_id"], "topic": first.get("topic", ""),
        "start_time": first.get("start_time"), "duration": first.get("duration") or 0,
        "type": 5, "host_email": first.get("host_email", ""),
    })
    webinar_lifecycle_set(webinar=webinar, lifecycle=Lifecycle.DELETED)
    for row in history_rows:
        if row.get("meeting_uuid"):
            webinar_instance_sync_from_zoom(webinar=webinar, uuid=row["meeting_uuid"],
                                            report=None,
                                            start_time=parse_api_time(row.get("start_time")))
    return webinar
