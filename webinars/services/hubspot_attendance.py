"""A webinar's attendance in HubSpot: each registration, attendance and cancellation recorded
on its session's marketing event exactly once.

HubSpot appends attendance records, so one sent twice is recorded twice. An entry is therefore
marked "sending" in the database before its batch goes out, and "pushed" once HubSpot has
answered. A batch whose answer never came — the connection dropped or timed out after sending,
a 5xx, or a worker killed before it wrote the answer down — leaves its entries "sending". Such
entries are never sent blindly: HubSpot's participations breakdown of the event says which of
them it has; those are marked pushed and only the others are sent again. That happens at once
for a batch of this run, and, for what an earlier run left behind, before anything else is sent
for that event and state — so the next run after a crash finishes the work without
duplicating any of it.

An event's registrations are settled and sent before its attendances, and those before its
cancellations, as they happen; so when a record is checked, the state it asks about is still
the contact's latest on that event, whether HubSpot lists one participation per state or only
each contact's latest.
"""

from collections.abc import Callable
from datetime import timedelta

from django.utils import timezone

from contacts.models import Activity
from integrations.batching import chunks
from integrations.errors import BatchErrors, OutcomeUnknown
from integrations.hubspot.client import HubSpotClient
from integrations.timefmt import epoch_ms, hubspot_datetime, parse_api_time

from ..models import Webinar

STATE_FOR_KIND = {
    Activity.Kind.WEBINAR_REGISTERED: "register",
    Activity.Kind.WEBINAR_ATTENDED: "attend",
    Activity.Kind.WEBINAR_CANCELLED: "cancel",
}
ATTENDANCE_ORDER = [Activity.Kind.WEBINAR_REGISTERED, Activity.Kind.WEBINAR_ATTENDED,
                    Activity.Kind.WEBINAR_CANCELLED]  # as it happens: register, attend, cancel
# Records read from the database at a time: a multiple of HubSpot's batch of 100.
QUERY_CHUNK = 2000
ROW_FIELDS = ("id", "occurred_at", "details", "contact__email", "contact__hubspot_id",
              "contact__hubspot_email")


def attend_properties(*, joined_at, attended_seconds: int) -> dict[str, str]:
    """joinedAt and leftAt of an attend record. HubSpot takes the time between them as the
    person's attendance (and its share of the event as their percentage), so leftAt is the
    join plus the time actually attended — rejoins summed, gaps left out — not the last
    leave."""
    return {"joinedAt": hubspot_datetime(joined_at),
            "leftAt": hubspot_datetime(joined_at + timedelta(seconds=attended_seconds))}


def _records_left(**filters):
    """Entries still to be recorded in HubSpot: not pushed yet, of a contact HubSpot has."""
    return Activity.objects.filter(hubspot_pushed_at__isnull=True, contact__hubspot_id__gt="",
                                   **filters)


def attendance_pending_count(*, webinar: Webinar) -> int:
    return _records_left(
        source_key__in=[i.external_event_id for i in webinar.instances.all()],
        kind__in=ATTENDANCE_ORDER).count()


class _Event:
    """One marketing event and state: what is sent, and what HubSpot says it has."""

    def __init__(self, client: HubSpotClient, *, account_id: str, event_id: str, state: str):
        self.client, self.account_id, self.event_id, self.state = (client, account_id,
                                                                   event_id, state)

    def send(self, rows: list[dict]) -> None:
        self.client.record_attendance(
            external_event_id=self.event_id, external_account_id=self.account_id,
            state=self.state, inputs=[_attendance_input(row, self.state) for row in rows])

    def recorded(self, rows: list[dict]) -> list[dict]:
        """The rows HubSpot already has a record of."""
        if not rows:
            return []
        found = self.client.attendance_recorded(
            external_account_id=self.account_id, external_event_id=self.event_id,
            state=self.state,
            people={row["contact__email"]: row["contact__hubspot_id"] for row in rows})
        return [row for row in rows if row["contact__email"] in found]


def attendance_push(*, client: HubSpotClient, webinar: Webinar,
                    on_progress: Callable[[int], None] | None = None) -> int:
    """Records each not-yet-pushed registration, attendance and cancellation once; returns
    how many HubSpot now has that it did not have from us before.

    Per session and state, the records are read a few thousand at a time (by id, so memory
    stays flat) and sent 100 per call.
    """
    account_id = webinar.zoom_account.zoom_account_id
    done = 0

    def advance(n: int) -> None:
        nonlocal done
        done += n
        if on_progress and n:
            on_progress(n)

    for instance in webinar.instances.all():
        for kind in ATTENDANCE_ORDER:
            event = _Event(client, account_id=account_id, event_id=instance.external_event_id,
                           state=STATE_FOR_KIND[kind])
            for rows in _unpushed(event.event_id, kind, sending=True):
                advance(_attendance_settle(event, rows))
            # (not mutated: sending=None is as false)
            for rows in _unpushed(event.event_id, kind, sending=False):  # pragma: no mutate
                _attendance_send_chunk(event, rows, advance)
    return done


def _unpushed(event_id: str, kind: str, *, sending: bool):
    """Chunks of the entries not pushed yet, those left "sending" or the others. What a chunk
    settles is marked, so each query reads the next rows."""
    while True:
        rows = list(_records_left(
            source_key=event_id, kind=kind, hubspot_sending_at__isnull=not sending,
        ).order_by("id").values(*ROW_FIELDS)[:QUERY_CHUNK])
        for row in rows:
            # a person matched by a secondary e-mail is recorded under the contact's own
            row["contact__email"] = row.pop("contact__hubspot_email") or row["contact__email"]
        if rows:
            yield rows
        # (not mutated: with <=, a full last chunk costs one more, empty read)
        if len(rows) < QUERY_CHUNK:  # pragma: no mutate
            return


def _attendance_settle(event: _Event, rows: list[dict]) -> int:
    """Entries an earlier run sent without learning the outcome: those HubSpot has are
    pushed; the others go back to the queue of entries to send."""
    found = event.recorded(rows)
    _attendance_mark_pushed([row["id"] for row in found])
    found_ids = {row["id"] for row in found}
    Activity.objects.filter(id__in=[row["id"] for row in rows if row["id"] not in found_ids]
                            ).update(hubspot_sending_at=None)
    return len(found)


def _attendance_send_chunk(event: _Event, rows: list[dict],
                           advance: Callable[[int], None]) -> None:
    """Marks a chunk "sending" in one write (not one per batch: the queries of a sync grow
    with its chunks), then sends it a batch at a time. When a batch fails, the batches after
    it were not sent: they go back to the queue."""
    Activity.objects.filter(id__in=[row["id"] for row in rows]).update(
        hubspot_sending_at=timezone.now())
    parts = list(chunks(rows, event.client.batch_size))
    for i, part in enumerate(parts):
        try:
            advance(_attendance_send(event, part))
        except Exception:
            Activity.objects.filter(id__in=[row["id"] for later in parts[i + 1:]
                                            for row in later]).update(hubspot_sending_at=None)
            raise


def _attendance_send(event: _Event, rows: list[dict]) -> int:
    """Sends one batch. An unknown outcome is settled with HubSpot's records and only the
    records it lacks are sent again, a few times at most; after that the entries stay
    "sending" for the next run to settle."""
    pending = rows
    attempt = 0
    while True:
        try:
            event.send(pending)
        except OutcomeUnknown:
            if attempt >= event.client.max_retries:
                raise
            found = event.recorded(pending)
            _attendance_mark_pushed([row["id"] for row in found])
            found_ids = {row["id"] for row in found}
            pending = [row for row in pending if row["id"] not in found_ids]
            if not pending:
                return len(rows)
            event.client.pause_before_retry(attempt)
            attempt += 1
            continue
        except BatchErrors as exc:
            # HubSpot recorded the others: mark them, so only the rejected records (never
            # recorded) are tried again next time.
            failed = {i.lower() for i in exc.failed_ids}
            _attendance_mark_pushed([row["id"] for row in pending
                                     if row["contact__email"] not in failed])
            Activity.objects.filter(id__in=[row["id"] for row in pending
                                            if row["contact__email"] in failed]
                                    ).update(hubspot_sending_at=None)
            raise
        # Any other failure leaves the entries "sending": part of a batch may have been
        # recorded before it, and the next run asks HubSpot rather than guess.
        _attendance_mark_pushed([row["id"] for row in pending])
        return len(rows)


def _attendance_mark_pushed(ids: list[int]) -> None:
    if ids:
        Activity.objects.filter(id__in=ids).update(hubspot_pushed_at=timezone.now(),
                                                   hubspot_sending_at=None)


def _attendance_input(row: dict, state: str) -> dict:
    properties = {}
    if state == "attend":
        details = row["details"]
        properties = attend_properties(joined_at=parse_api_time(details["joined_at"]),
                                       attended_seconds=int(details["attended_seconds"]))
    return {
        "email": row["contact__email"],
        "interactionDateTime": epoch_ms(row["occurred_at"]),
        "properties": properties,
        "contactProperties": {},
    }
