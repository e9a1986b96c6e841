"""The webinar sync: Zoom registrants and attendees → mirror → HubSpot contacts and events.

Zoom's listings are streamed: a few pages at a time are written to the mirror in bulk and
dropped, so neither memory nor the number of queries grows with the rows of a page. Everything
pushed to HubSpot is batched and remembered, so a second sync with nothing new writes nothing.
"""

import logging
import time
from collections.abc import Callable, Iterator

from contacts.services.hubspot_contacts import (
    ContactReadAhead,
    contacts_never_pushed,
    contacts_push,
)
from contacts.services.hubspot_properties import hubspot_properties_ensure
from contacts.services.people import email_normalise
from contacts.services.rollups import contact_rollups_refresh
from integrations.errors import (
    IntegrationError,
    InvalidRequest,
    NotFound,
    RegistrationNotEnabled,
)
from integrations.models import SyncRun, SyncSettings
from integrations.runs import (
    RunTakenOver,
    sync_run_claim,
    sync_run_finish,
    sync_run_progress_save,
)
from integrations.services.clients import (
    hubspot_client_for,
    hubspot_portal_for,
    zoom_client_for,
)
from integrations.services.zoom_users import AccountUsers, zoom_users_known

from ..models import AttendanceSession, Lifecycle, Registrant, Webinar
from ..selectors import webinar_contact_ids, webinar_invalid_emails
from .attendance_import import attendance_import
from .hubspot_attendance import attendance_pending_count, attendance_push
from .hubspot_events import (
    marketing_event_properties_ensure,
    marketing_events_cancel,
    marketing_events_complete,
    marketing_events_push,
)
from .lifecycle import webinar_lifecycle_set, webinar_lifecycle_text, webinar_lifecycle_update
from .mapped_properties import mapped_properties_ensure
from .mirror import (
    registrant_on_stage,
    registrants_sync_from_zoom,
    webinar_instances_plan,
    webinar_sync_from_zoom,
)
from .pages import rows_batched
from .profiles import webinar_contact_profiles
from .runs import webinar_sync_run_open
from .session_registrations import session_registrations_import
from .timeline import webinar_timeline_refresh

logger = logging.getLogger(__name__)

REGISTRANT_STATUSES = ("approved", "pending", "denied")

STEP_WEBINAR = "Reading the webinar from Zoom"
STEP_REGISTRANTS = "Reading registrants"
STEP_ATTENDANCE = "Reading attendance"
STEP_PUSH_CONTACTS = "Pushing contacts to HubSpot"
STEP_PUSH_EVENTS = "Pushing events and attendance to HubSpot"
REGISTRATION_OFF = "registration is off for this webinar"

ProgressCallback = Callable[[SyncRun], None]


class SyncProgress:
    """A run's done/total, counted in records: registrants and participant rows read from Zoom,
    contacts compared with what HubSpot has, attendance records pushed. Each part's total is an
    estimate until that part is reached (Zoom's totals, or the previous sync's numbers), then
    exact. Saved at most once a second, so progress costs a handful of queries per sync; each
    save also renews the run's lease (see integrations.runs)."""

    SAVE_INTERVAL_S = 1.0
    PARTS = ("registrants", "participants", "contacts", "attendance")

    def __init__(self, run: SyncRun, on_progress: ProgressCallback | None = None):
        self.run, self.on_progress = run, on_progress
        self.totals = dict.fromkeys(self.PARTS, 0)
        self.done = dict.fromkeys(self.PARTS, 0)
        self._saved_at = 0.0

    def phase(self, label: str) -> None:
        self.run.counts = {**self.run.counts, "step": label}
        self._emit(force=True)

    def expect(self, part: str, total: int) -> None:
        self.totals[part] = max(total, self.done[part])
        self._emit()

    def expect_more(self, part: str, more: int) -> None:
        self.expect(part, self.totals[part] + more)

    def advance(self, part: str, n: int) -> None:
        self.done[part] += n
        self.totals[part] = max(self.totals[part], self.done[part])
        self._emit()

    def _emit(self, force: bool = False) -> None:
        self.run.done = sum(self.done.values())
        self.run.total = sum(self.totals.values())
        if self.on_progress:
            self.on_progress(self.run)
        now = time.monotonic()
        if force or now - self._saved_at >= self.SAVE_INTERVAL_S:
            self._saved_at = now
            sync_run_progress_save(run=self.run)


def webinar_sync(*, webinar: Webinar, run: SyncRun | None = None, trigger: str = "manual",
                 on_progress: ProgressCallback | None = None) -> SyncRun:
    """Runs one full sync of one webinar in this process; never raises for API or
    configuration problems: the outcome (and a readable error) is on the returned SyncRun and
    on the webinar.

    Single flight: without a run, this opens one, or takes over the one queued for a worker.
    When another process is already running a sync of this webinar (or took the given queued
    run first), nothing is done: that run is returned as it stands, with `joined` set.
    """
    run = run or webinar_sync_run_open(webinar=webinar, trigger=trigger)
    if not sync_run_claim(run=run):
        run.refresh_from_db()
        run.joined = True
        return run
    run.joined = False
    try:
        counts = _webinar_sync_steps(webinar=webinar, progress=SyncProgress(run, on_progress))
    except RunTakenOver:
        # It stalled past its lease and was marked failed; a fresh run may be under way, so
        # this one stops here and leaves the records to it.
        logger.warning("Webinar sync %s lapsed and was taken over; stopping", webinar.zoom_id)
        run.refresh_from_db()
        return run
    except IntegrationError as exc:
        _finish(run, webinar, status=SyncRun.Status.FAILED, error=exc.message)
    except Exception as exc:  # a bug: keep the worker alive, show it, log the traceback
        logger.exception("Webinar sync %s crashed", webinar.zoom_id)
        _finish(run, webinar, status=SyncRun.Status.FAILED,
                error=f"Unexpected error ({type(exc).__name__}): {exc}")
    else:
        _finish(run, webinar, status=SyncRun.Status.SUCCEEDED, counts=counts)
    return run


def _finish(run: SyncRun, webinar: Webinar, *, status: str, error: str = "",
            counts: dict | None = None) -> None:
    sync_run_finish(run=run, status=status, error=error, counts=counts)
    webinar.last_sync_status, webinar.last_sync_error = status, error
    fields = ["last_sync_status", "last_sync_error"]
    if status == SyncRun.Status.SUCCEEDED:
        webinar.last_synced_at = run.finished_at
        fields.append("last_synced_at")
    webinar.save(update_fields=fields)


def _webinar_sync_steps(*, webinar: Webinar, progress: SyncProgress) -> dict:
    account = webinar.zoom_account
    zoom = zoom_client_for(account=account)
    portal = hubspot_portal_for(account=account)
    hubspot = hubspot_client_for(portal=portal)
    excluded = SyncSettings.get_solo().excluded_domains
    counts = {}

    progress.phase(STEP_WEBINAR)
    # Until Zoom tells us, the previous sync's sizes are the best guess of this one's.
    progress.expect("registrants", webinar.registrants.count())
    try:
        webinar = webinar_sync_from_zoom(account=account,
                                         data=zoom.get_webinar(webinar.zoom_id))
    except NotFound:
        # Deleted in Zoom: what it held is still in Zoom's reports, its registrants are not.
        webinar_lifecycle_set(webinar=webinar, lifecycle=Lifecycle.DELETED)
    else:
        if webinar.lifecycle == Lifecycle.DELETED:  # restored in Zoom
            webinar_lifecycle_set(webinar=webinar, lifecycle=Lifecycle.ACTIVE)
    deleted = webinar.lifecycle == Lifecycle.DELETED
    webinar_instances_plan(webinar=webinar)
    panelists = (_panelists_mirrored(webinar=webinar) if deleted
                 else _panelists_read(zoom=zoom, webinar=webinar))
    # Our own people are no leads; discovery keeps their list fresh, else it is read here.
    account_users = zoom_users_known(account=account, client=zoom)
    hubspot_properties_ensure(client=hubspot, portal=portal)
    marketing_event_properties_ensure(client=hubspot, portal=portal)
    # HubSpot reads of new contacts go out while Zoom is read (see ContactReadAhead).
    read_ahead = ContactReadAhead(hubspot, mapped_properties_ensure(
        client=hubspot, portal=portal,
        questions=lambda: _registration_form(zoom=zoom, webinar=webinar)))

    progress.phase(STEP_REGISTRANTS)
    if deleted:  # as last mirrored: Zoom lists no registrants of a deleted webinar
        counts["registrants"] = webinar.registrants.count()
    else:
        counts.update(_registrations_import(zoom=zoom, webinar=webinar, excluded=excluded,
                                            panelists=panelists, account_users=account_users,
                                            read_ahead=read_ahead, progress=progress))
    # Rough totals for the HubSpot parts, made exact when they start: every registrant is
    # compared, and a first sync records each registration.
    progress.expect("contacts", counts["registrants"])
    if webinar.last_synced_at is None:
        progress.expect("attendance", counts["registrants"])

    progress.phase(STEP_ATTENDANCE)
    counts.update(attendance_import(zoom=zoom, webinar=webinar, excluded=excluded,
                                     panelists=panelists, account_users=account_users,
                                     read_ahead=read_ahead, progress=progress))
    read_ahead.flush()
    webinar_lifecycle_update(webinar=webinar)

    progress.phase(STEP_PUSH_CONTACTS)
    contact_ids = webinar_contact_ids(webinar=webinar)
    progress.expect("contacts", len(contact_ids))
    instances = list(webinar.instances.select_related("webinar"))

    def timelines_and_rollups(chunk: list[int]) -> None:
        webinar_timeline_refresh(webinar=webinar, contact_ids=chunk, instances=instances)
        contact_rollups_refresh(contact_ids=chunk)

    # Timelines and roll-ups chunk by chunk, between the upserts: HubSpot's rate limit is
    # never left idle for the whole computation.
    counts.update(contacts_push(
        client=hubspot, contact_ids=contact_ids, profiles=webinar_contact_profiles,
        read_ahead=read_ahead, prepare=timelines_and_rollups,
        on_progress=lambda n: progress.advance("contacts", n)))

    progress.phase(STEP_PUSH_EVENTS)
    counts["events_pushed"] = marketing_events_push(client=hubspot, webinar=webinar)
    progress.expect("attendance", attendance_pending_count(webinar=webinar))
    counts["attendance_recorded"] = attendance_push(
        client=hubspot, webinar=webinar,
        on_progress=lambda n: progress.advance("attendance", n))
    counts["events_completed"] = marketing_events_complete(client=hubspot, webinar=webinar)
    counts["events_cancelled"] = marketing_events_cancel(client=hubspot, webinar=webinar)
    note = webinar_lifecycle_text(webinar=webinar)
    if note:
        counts["note"] = f"{counts['note']}; {note}" if counts.get("note") else note

    attendance = AttendanceSession.objects.filter(instance__webinar=webinar)
    audience = attendance.filter(role=AttendanceSession.Role.ATTENDEE)
    counts["attendees"] = audience.exclude(email="").values("email").distinct().count()
    counts["guests"] = audience.filter(email="", registrant__isnull=True).count()
    counts["panelists"] = attendance.filter(role=AttendanceSession.Role.PANELIST).values(
        "email").distinct().count()
    counts["contacts"] = len(contact_ids)
    counts["excluded"] = sum(
        not registrant_on_stage(email, webinar=webinar, panelists=panelists,
                                account_users=account_users)
        for email in webinar.registrants.filter(contact__isnull=True, email_problem="").exclude(
            email="").values_list("email", flat=True).distinct())
    counts["invalid_emails"] = len(webinar_invalid_emails(webinar=webinar))
    counts["cancelled"] = webinar.registrants.filter(
        status=Registrant.Status.CANCELLED).count()
    return counts


# --- panelists and registrants ------------------------------------------------------------

def _panelists_read(*, zoom, webinar: Webinar) -> frozenset[str]:
    """The webinar's panelists' e-mails (one call): speakers are neither leads nor
    attendees."""
    return frozenset(filter(None, (email_normalise(p.get("email"))
                                   for p in zoom.list_panelists(webinar.zoom_id))))


def _panelists_mirrored(*, webinar: Webinar) -> frozenset[str]:
    """A deleted webinar's panelists as last read: Zoom no longer lists them."""
    return frozenset(AttendanceSession.objects.filter(
        instance__webinar=webinar, role=AttendanceSession.Role.PANELIST).exclude(
        email="").values_list("email", flat=True).distinct())


def _registrations_import(*, zoom, webinar: Webinar, excluded: set[str],
                          panelists: frozenset[str], account_users: AccountUsers,
                          read_ahead: ContactReadAhead, progress: SyncProgress) -> dict:
    """The webinar's registrants; on a webinar registered per session, which sessions each
    one registered for. A webinar without registration has none, and the run says so: its
    attendees are synced all the same."""
    if webinar.registration_off:  # no need to ask Zoom what it would refuse
        return {"registrants": 0, "note": REGISTRATION_OFF}
    statuses: set[str] = set()
    try:
        count = _registrants_import(zoom=zoom, webinar=webinar, excluded=excluded,
                                    panelists=panelists, account_users=account_users,
                                    read_ahead=read_ahead, progress=progress,
                                    statuses=statuses)
    except RegistrationNotEnabled:  # switched off since the webinar was read
        return {"registrants": 0, "note": REGISTRATION_OFF}
    if webinar.registers_per_session:
        session_registrations_import(zoom=zoom, webinar=webinar, statuses=statuses)
    return {"registrants": count}


def _registrants_import(*, zoom, webinar: Webinar, excluded: set[str],
                        panelists: frozenset[str], account_users: AccountUsers,
                        read_ahead: ContactReadAhead, progress: SyncProgress,
                        statuses: set[str]) -> int:
    """Every registrant, all statuses, a few Zoom pages per bulk write; returns how many
    there are, panelists and our own people left out, and adds to `statuses` those anybody
    has."""
    count = 0
    pages = _registrant_pages(zoom=zoom, webinar=webinar, progress=progress)
    for rows in rows_batched(pages):
        mirrored = registrants_sync_from_zoom(webinar=webinar, rows=rows,
                                              excluded_domains=excluded, panelists=panelists,
                                              account_users=account_users)
        read_ahead.add(contacts_never_pushed(contact_ids=list(mirrored.contact_ids.values())))
        statuses.update(row["status"] for row in rows)
        count += sum(not registrant_on_stage(email_normalise(row.get("email")), webinar=webinar,
                                             panelists=panelists, account_users=account_users)
                     for row in rows)
    return count


def _registrant_pages(*, zoom, webinar: Webinar, progress: SyncProgress) -> Iterator[list]:
    totals_seen = 0
    for status in REGISTRANT_STATUSES:
        first = True
        for page in zoom.iter_registrant_pages(webinar.zoom_id, status):
            if first:
                first = False
                total = getattr(page, "total_records", None)  # when the client tells
                if total is not None:
                    totals_seen += int(total)
                    progress.expect("registrants", max(totals_seen, progress.done["registrants"]))
            for row in page:
                row.setdefault("status", status)
            progress.advance("registrants", len(page))
            yield page


def _registration_form(*, zoom, webinar: Webinar) -> dict:
    """The webinar's registration questions (none for a webinar Zoom no longer has or that
    takes no registration)."""
    try:
        return zoom.registration_questions(webinar.zoom_id)
    except (InvalidRequest, NotFound):
        return {}
