"""Pushing contacts to HubSpot: one batch upsert per 100 changed contacts.

Every push remembers what it sent (a digest per contact), so a contact whose properties did
not change costs no call the next time. Names and profile fields follow the "only fill empty
HubSpot fields" policy; the roll-ups are always written.
"""

from collections.abc import Callable, Iterable

from django.db.models import Exists, OuterRef
from django.utils import timezone

from integrations.batching import chunks
from integrations.digest import payload_digest
from integrations.errors import InvalidRequest
from integrations.hubspot.client import HubSpotClient
from integrations.models import SyncSettings

from ..models import Activity, Contact
from .bulk import rows_update
from .rollups import ROLLUP_FIELDS

SOURCE_VALUE = "Zoom Integration"
SOURCE_PROPERTY = "zoomsync_source"
# HubSpot's own properties that describe the person (sources fill them from what people
# told Zoom): governed by the "don't overwrite" policy.
PROFILE_PROPERTIES = ["firstname", "lastname", "company", "jobtitle", "phone", "address",
                      "city", "state", "zip", "country", "industry"]
# Contacts read from the database at a time: a multiple of HubSpot's batch of 100, so only
# the last HubSpot batch of a listing is ever partly filled.
QUERY_CHUNK = 2000
# Rounds of "push again what another sync refreshed meanwhile" at the end of a push; each
# round only follows a concurrent refresh, so more than one is rare.
RECHECK_ROUNDS = 5
# A person deleted in HubSpot comes back (with the setting on) when they do one of these again.
RECREATING_KINDS = [Activity.Kind.WEBINAR_REGISTERED, Activity.Kind.WEBINAR_ATTENDED]
# {contact id: {HubSpot property: value}} for a chunk of contact ids
ProfileSource = Callable[[list[int]], dict[int, dict[str, str]]]


def contact_desired_properties(contact: Contact, profile: dict) -> dict[str, str]:
    props = {"email": contact.email}
    props.update({k: v for k, v in profile.items() if v})
    rollups = {
        "zoomsync_webinar_registrations": str(contact.webinar_registrations),
        "zoomsync_webinars_attended": str(contact.webinars_attended),
        "zoomsync_avg_attendance_pct": contact.avg_attendance_pct,
        "zoomsync_avg_attendance_minutes": contact.avg_attendance_minutes,
        "zoomsync_last_registered_webinar": contact.last_registered_webinar,
        "zoomsync_last_attended_webinar": contact.last_attended_webinar,
        "zoomsync_last_join_url": contact.last_join_url,
    }
    # An empty roll-up is sent as "" (HubSpot clears the property): a person whose only
    # registration was cancelled must not keep showing it as their last one.
    props.update({k: "" if v is None else str(v) for k, v in rollups.items()})
    return props


class ContactReadAhead:
    """HubSpot's answer to "does this e-mail exist, and which of its profile fields are
    filled", asked while the sync is still reading Zoom.

    A sync's HubSpot calls are what the rate limit paces; the Zoom listing before them would
    leave the limit's budget idle. Contacts we have never pushed will be upserted whatever
    comes next, so reading them early wastes no call (and a re-sync with nothing new reads
    nothing). Reads go out 100 at a time; each answer is kept (a few dozen bytes) until
    `contacts_push` uses it.
    """

    def __init__(self, client: HubSpotClient, profile_properties: Iterable[str] = ()):
        self.client = client
        # What is read of a contact before writing it: the profile fields the source may
        # write (ours and those the user mapped), so "fill empty fields only" knows which are
        # filled, and our mark of a contact we created.
        self.profile_properties = tuple(dict.fromkeys([*PROFILE_PROPERTIES,
                                                       *profile_properties]))
        self.read_properties = ["email", *self.profile_properties, SOURCE_PROPERTY]
        self.batch = client.batch_size
        self.pending: dict[str, None] = {}  # e-mails to read, in order
        self.answers: dict[str, frozenset | None] = {}  # None: not in HubSpot

    def add(self, emails) -> None:
        for email in emails:
            if email not in self.answers:
                self.pending[email] = None  # pragma: no mutate (an ordered set: keys only)
        # (not mutated: reading at 100 or at 101 pending costs the same calls)
        if len(self.pending) >= self.batch:  # pragma: no mutate
            emails = list(self.pending)
            full = len(emails) - len(emails) % self.batch
            self._read(emails[:full])
            self.pending = dict.fromkeys(emails[full:])

    def flush(self) -> None:
        if self.pending:
            self._read(list(self.pending))
            self.pending = {}  # pragma: no mutate (nothing is added after the last flush)

    def _read(self, emails: list[str]) -> None:
        found = self.client.read_contacts_by_email(emails, properties=self.read_properties)
        for email in emails:
            self.answers[email] = _filled(found.get(email), self.profile_properties)

    def remember(self, email: str, filled: frozenset) -> None:
        """An answer known without asking (the contact was just upserted)."""
        self.answers[email] = filled

    def pop(self, email: str):
        """(True, answer) when read ahead, else (False, None)."""
        if email in self.answers:
            return True, self.answers.pop(email)
        return False, None


def _filled(contact: dict | None, names: Iterable[str] = PROFILE_PROPERTIES
            ) -> frozenset | None:
    """None when HubSpot has no such contact; else the names of its filled profile fields,
    and SOURCE_PROPERTY when it carries our mark (we created it, maybe in a run that did not
    live to write down HubSpot's answer)."""
    if contact is None:
        return None
    props = contact.get("properties") or {}
    filled = {name for name in names if props.get(name)}
    if props.get(SOURCE_PROPERTY) == SOURCE_VALUE:
        filled.add(SOURCE_PROPERTY)
    return frozenset(filled)


def contacts_never_pushed(*, contact_ids: list[int]) -> list[str]:
    """E-mails of these contacts that HubSpot has not had from us yet."""
    emails = []
    for chunk in chunks(contact_ids, QUERY_CHUNK):
        emails.extend(Contact.objects.filter(id__in=chunk, hubspot_id="")
                      .values_list("email", flat=True))
    return emails


def contacts_push(*, client: HubSpotClient, contact_ids: list[int],
                  profiles: ProfileSource, read_ahead: ContactReadAhead,
                  prepare: Callable[[list[int]], object] | None = None,
                  on_progress: Callable[[int], None] | None = None) -> dict:
    """Upserts the contacts whose properties changed since the last push.

    `prepare(chunk)` runs before each chunk is read (the sync recomputes timelines and
    roll-ups there), so database work alternates with HubSpot calls instead of keeping the
    rate limit idle. `profiles(chunk)` says what the source knows of each person (names,
    company, …) in HubSpot's property names.

    Reads the contacts a few thousand at a time; the changed ones go out in full batches of
    100 (what does not fill a batch waits for the next chunk), so HubSpot sees
    ceil(changed / 100) reads and upserts whatever the chunking — minus the reads done by
    `read_ahead`. `on_progress(n)` is told how many contacts were compared.
    """
    settings = SyncSettings.get_solo()
    policy = settings.contact_field_policy
    batch = client.batch_size
    stats = {"contacts_pushed": 0, "contacts_created": 0}
    ids = sorted(set(contact_ids))
    pending: list[tuple[Contact, dict, str]] = []
    sent: list[Contact] = []  # pushed since the last look for newer roll-ups (a chunk's worth)

    def send(items):
        _contacts_send(client=client, policy=policy, items=items, stats=stats,
                       read_ahead=read_ahead, match_secondary=settings.match_secondary_emails)
        sent.extend(contact for contact, _, _ in items)

    def moved_on() -> list[tuple[Contact, dict, str]]:
        """What was sent since the last look and has newer roll-ups by now."""
        found = _contacts_moved_on(sent, profiles, policy, read_ahead)
        sent.clear()
        return found

    for chunk in chunks(ids, QUERY_CHUNK):
        if prepare:
            prepare(chunk)
        contacts = Contact.objects.filter(id__in=chunk)
        left_out = _contacts_deleted_left_out(
            chunk, recreate=settings.recreate_deleted_contacts)
        if left_out:
            stats["contacts_deleted_in_hubspot"] = (
                stats.get("contacts_deleted_in_hubspot", 0) + len(left_out))
            contacts = contacts.exclude(id__in=left_out)
        pending.extend(_contacts_changed(contacts, profiles(chunk), policy))
        full = len(pending) - len(pending) % batch
        if full:
            send(pending[:full])
            pending = pending[full:]
        if len(sent) >= QUERY_CHUNK:  # else at the end: one look for a small webinar
            pending.extend(moved_on())
        if on_progress:
            on_progress(len(chunk))
    for _round in range(RECHECK_ROUNDS):
        if pending:
            send(pending)
        pending = moved_on()
        if not pending:
            break
    return stats


def _contacts_deleted_left_out(contact_ids: list[int], *, recreate: bool) -> list[int]:
    """Contacts deleted in HubSpot that stay out of this push: all of them without
    `recreate`, else those who did not register or attend anew (nothing on their timeline
    HubSpot has not heard of), so re-syncing an old webinar never undoes a deletion.
    Left out, neither an upsert nor an attendance record (HubSpot creates missing contacts
    for those) brings them back."""
    deleted = Contact.objects.filter(id__in=contact_ids, hubspot_deleted_at__isnull=False)
    if recreate:
        news = Activity.objects.filter(
            contact=OuterRef("pk"), kind__in=RECREATING_KINDS,
            hubspot_pushed_at__isnull=True, hubspot_sending_at__isnull=True)
        deleted = deleted.exclude(Exists(news))
    return list(deleted.values_list("id", flat=True))


def _contacts_changed(contacts, known: dict, policy: str, *, every: bool = False
                      ) -> list[tuple[Contact, dict, str]]:
    """The contacts whose properties differ from what was last pushed (all with `every`)."""
    out = []
    for contact in contacts:
        desired = contact_desired_properties(contact, known.get(contact.id, {}))
        digest = payload_digest([policy, desired])
        if every or not (contact.hubspot_id and contact.pushed_hash == digest):
            out.append((contact, desired, digest))
    return out


def _contacts_moved_on(sent: list[Contact], profiles: ProfileSource, policy: str,
                       read_ahead: ContactReadAhead) -> list[tuple[Contact, dict, str]]:
    """Contacts whose roll-ups changed after they were read for the push that just went out.

    A sync of another webinar with the same people may have refreshed them meanwhile and
    pushed first: HubSpot then holds our older numbers, so they go out again whatever the
    remembered digest says (the other sync may have stored its digest after ours). One
    query per few thousand contacts sent; more only when some did change."""
    moved = []
    for chunk in chunks(sent, QUERY_CHUNK):
        pushed = {c.id: [getattr(c, name) for name in ROLLUP_FIELDS] for c in chunk}
        now = Contact.objects.filter(id__in=list(pushed)).values_list("id", *ROLLUP_FIELDS)
        moved += [row[0] for row in now if list(row[1:]) != pushed[row[0]]]
    if not moved:
        return []
    again = set(moved)
    for contact in sent:
        if contact.id in again:  # no need to ask HubSpot what it has: we just sent it
            read_ahead.remember(contact.email, contact.hubspot_filled)
    return _contacts_changed(Contact.objects.filter(id__in=moved).order_by("id"),
                             profiles(moved), policy, every=True)


def _contacts_secondary_match(*, client, items, filled: dict, keys: dict,
                              read_ahead: ContactReadAhead) -> None:
    """Contacts HubSpot does not know by their e-mail but as another contact's secondary
    e-mail: they write to that contact (by its own e-mail) instead of creating one."""
    unknown = [contact.email for contact, _, _ in items if filled[contact.email] is None]
    if not unknown:
        return
    found = client.search_contacts_by_secondary_email(unknown,
                                                      properties=read_ahead.read_properties)
    taken = set(keys.values())
    for contact, _, _ in items:
        match = found.get(contact.email)
        primary = str(((match or {}).get("properties") or {}).get("email") or "").lower()
        # (two of ours in one batch naming the same contact: HubSpot refuses duplicate ids)
        if primary and primary not in taken:
            taken.add(primary)
            keys[contact.email] = contact.hubspot_email = primary
            filled[contact.email] = _filled(match, read_ahead.profile_properties)


def _contacts_send(*, client, policy, items, stats, read_ahead: ContactReadAhead,
                   match_secondary: bool) -> None:
    filled = {}
    unread = []
    # the address HubSpot knows each contact by: its own, or the contact it was matched to
    keys = {contact.email: contact.hubspot_email or contact.email for contact, _, _ in items}
    for contact, _, _ in items:
        known, answer = read_ahead.pop(contact.email)
        if known:
            filled[contact.email] = answer
        else:
            unread.append(contact.email)
    if unread:
        found = client.read_contacts_by_email([keys[e] for e in unread],
                                              properties=read_ahead.read_properties)
        # a merged contact is found by its old address under the record's e-mail (see below)
        found_ids = {str(c.get("id")): c for c in found.values()}
        hubspot_ids = {c.email: c.hubspot_id or "-" for c, _, _ in items}
        filled.update({email: _filled(found.get(keys[email]) or
                                      found_ids.get(hubspot_ids[email]),
                                      read_ahead.profile_properties)
                       for email in unread})
    if match_secondary:
        _contacts_secondary_match(client=client, items=items, filled=filled, keys=keys,
                                  read_ahead=read_ahead)
    inputs = []
    for contact, desired, _ in items:
        current = filled[contact.email]
        props = dict(desired)
        props.pop("email")
        if current is None:
            props[SOURCE_PROPERTY] = SOURCE_VALUE
        elif policy == SyncSettings.FieldPolicy.FILL_EMPTY:
            for name in current:
                props.pop(name, None)
        inputs.append({"email": keys[contact.email], "properties": props})
        # what HubSpot will have filled after this upsert, should the contact go out again
        contact.hubspot_filled = (current or frozenset()) | frozenset(
            name for name in (*read_ahead.profile_properties, SOURCE_PROPERTY)
            if props.get(name))
    results = client.upsert_contacts(inputs)
    # a result without an e-mail (filed under "none") matches no contact
    by_email = {str((r.get("properties") or {}).get("email")).lower(): r for r in results}
    # A contact merged into another record in HubSpot is found by its old address but
    # answered under the record's own e-mail: its id says which answer is its own.
    by_id = {str(r.get("id")): r for r in results}
    now = timezone.now()
    for contact, desired, digest in items:
        result = by_email.get(keys[contact.email]) or by_id.get(contact.hubspot_id or "-")
        if result is None:
            raise InvalidRequest(  # (not mutated: a sentence for humans)
                f"HubSpot's upsert did not return contact {contact.email}.")  # pragma: no mutate
        contact.hubspot_id = str(result["id"])
        current = filled[contact.email]
        # HubSpot says "new" only to the call that created the contact. One that had no such
        # contact when we read it was created by us all the same (by an attempt whose answer
        # was lost, or by another of our runs), and one carrying our mark by an earlier push
        # whose answer never reached our database: each stays "created by sync".
        if result.get("new") or current is None:
            contact.created_by_sync = True
            stats["contacts_created"] += 1
        elif SOURCE_PROPERTY in current:
            contact.created_by_sync = True
        contact.pushed_hash, contact.pushed_at = digest, now
        contact.hubspot_deleted_at = None  # recreated, if it was deleted
        # the names we know, for our own timeline pages
        contact.first_name = desired.get("firstname", "")[:100]
        contact.last_name = desired.get("lastname", "")[:100]
    # One write per few thousand contacts. A crash before it only means these contacts are
    # upserted again next time: an upsert of the same values changes nothing in HubSpot.
    rows_update(model=Contact, objs=[c for c, _, _ in items],
                fields=["hubspot_id", "created_by_sync", "pushed_hash", "pushed_at",
                        "hubspot_email", "hubspot_deleted_at", "first_name", "last_name"])
    stats["contacts_pushed"] += len(items)
