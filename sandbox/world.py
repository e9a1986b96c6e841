"""The in-memory state of the sandbox: one Zoom account and one HubSpot portal.

Everything lives in a ``World`` guarded by one ``threading.RLock`` (``world.lock``). Handlers
take the lock for the whole read-modify-reply step, so every request sees a consistent state.

Time is the ``clock``'s (``clock.py``): real time plus an offset that tests move forward;
nothing in the sandbox reads the system clock directly.

Large listings are kept as per-webinar / per-instance Python lists in a stable order, and a
Zoom ``next_page_token`` maps to ``(listing key, offset)``, so serving a page is O(page size).
The objects themselves live in ``zoom/models.py`` and ``hubspot/models.py``.
"""

from __future__ import annotations

import secrets
import threading
import uuid
from collections import Counter
from datetime import datetime

from .clock import Clock
from .common import iso_ms
from .faults import Faults
from .hubspot.models import (
    Contact,
    Form,
    MarketingEvent,
    WorkflowExecution,
    default_properties,
)
from .limits import Limits
from .tokens import TokenStore
from .webhooks.delivery import Webhooks
from .zoom.models import (
    API_STATUS,
    DEFAULT_OWNER,
    Instance,
    Meeting,
    MeetingInstance,
    Registrant,
    User,
    Webinar,
)


class PageTokenError(Exception):
    pass


class World:
    def __init__(self, clock: Clock | None = None):
        self.lock = threading.RLock()
        self.base_url = "http://127.0.0.1:8765"
        self.clock = clock if clock is not None else Clock()
        # Survive reset() (and so seeding): only POST /_sandbox/reset clears limits, faults,
        # webhook targets and log, and the clock's offset; token state is never cleared,
        # like the tokens themselves.
        self.limits = Limits(self.clock)
        self.faults = Faults(self.clock)
        self.tokens = TokenStore(self.clock)
        self.webhooks = Webhooks(self.clock)
        self.reset()

    def now(self) -> datetime:
        return self.clock.now()

    # lifetimes, set with POST /_sandbox/limits
    @property
    def zoom_token_ttl_s(self) -> float:
        return self.limits.ttl("zoom_token_ttl_s")

    @property
    def hubspot_token_ttl_s(self) -> float:
        return self.limits.ttl("hubspot_token_ttl_s")

    @property
    def page_token_ttl_s(self) -> float:
        return self.limits.ttl("page_token_ttl_s")

    # ---------------------------------------------------------------- reset / counters
    def reset(self) -> None:
        with self.lock:
            # Zoom
            self.users: list[User] = []
            self.users_by_id: dict[str, User] = {}
            self.users_by_email: dict[str, User] = {}
            self.webinars: dict[int, Webinar] = {}
            self.instances_by_uuid: dict[str, Instance] = {}
            self.meetings: dict[int, Meeting] = {}
            self.meeting_instances_by_uuid: dict[str, MeetingInstance] = {}
            self.page_tokens: dict[str, tuple] = {}
            # HubSpot
            self.contacts: dict[int, Contact] = {}
            self.contacts_by_email: dict[str, Contact] = {}
            self.next_contact_id = 101
            self.property_groups: dict[str, dict] = {}
            self.properties: dict[str, dict] = {}
            now = iso_ms(self.clock.now())
            self.add_property_group({"name": "contactinformation",
                                     "label": "Contact information", "displayOrder": 0},
                                    hubspot_defined=True)
            for p in default_properties():
                p["createdAt"] = now
                p["updatedAt"] = now
                p["archived"] = False
                self.properties[p["name"]] = p
            # the marketing-event object's own definitions (custom properties only)
            self.event_property_groups: dict[str, dict] = {}
            self.event_properties: dict[str, dict] = {}
            self.marketing_events: dict[tuple[str, str], MarketingEvent] = {}
            self.next_event_id = 5_000_001
            # forms and their submissions, by guid
            self.forms: dict[str, Form] = {}
            # the app's custom workflow action: its definitions (by id) and runs (by
            # callbackId)
            self.action_definitions: dict[str, dict] = {}
            self.next_definition_id = 7_000_001
            self.workflow_executions: dict[str, WorkflowExecution] = {}
            # Zoom: successful registrations per (webinar id, e-mail, UTC day)
            self.registrations_today: Counter = Counter()
            # Zoom: webinar updates per (host id, UTC day)
            self.webinar_updates_today: Counter = Counter()
            self.reset_calls()

    def reset_calls(self) -> None:
        with self.lock:
            self.calls: Counter = Counter()
            self.calls_total = 0
            self.calls_rate_limited = 0
            self.calls_rate_limited_by: Counter = Counter()
            self.calls_by_status: Counter = Counter()
            self.fault_counts: Counter = Counter({k: 0 for k in
                                                  ("error", "rate_limit", "reset",
                                                   "reset_after_apply", "slow", "partial")})

    def count_call(self, key: str, *, status: int, rate_limited: bool = False) -> None:
        with self.lock:
            self.calls[key] += 1
            self.calls_total += 1
            self.calls_by_status[str(status)] += 1
            if rate_limited:
                self.calls_rate_limited += 1
                self.calls_rate_limited_by[key] += 1

    def count_fault(self, kind: str) -> None:
        with self.lock:
            self.fault_counts[kind] += 1

    # ---------------------------------------------------------------- Zoom pagination
    def page_token_new(self, key: tuple, offset: int) -> str:
        token = secrets.token_urlsafe(24)
        with self.lock:
            now = self.clock.time()
            if len(self.page_tokens) > 5000:
                self.page_tokens = {t: v for t, v in self.page_tokens.items() if v[2] > now}
            self.page_tokens[token] = (key, offset, now + self.page_token_ttl_s)
        return token

    def page_token_offset(self, token: str, key: tuple) -> int:
        with self.lock:
            entry = self.page_tokens.get(token)
        if entry is None or entry[0] != key or self.clock.time() >= entry[2]:
            raise PageTokenError(token)
        return entry[1]

    def expire_page_tokens(self) -> int:
        """Make every issued next_page_token expired; returns how many there were."""
        with self.lock:
            self.page_tokens = {t: (k, o, 0.0) for t, (k, o, _e) in self.page_tokens.items()}
            return len(self.page_tokens)

    # ---------------------------------------------------------------- Zoom data
    def add_user(self, user: User) -> User:
        with self.lock:
            self.users.append(user)
            self.users_by_id[user.id] = user
            self.users_by_email[user.email.lower()] = user
        return user

    def find_user(self, ref: str) -> User | None:
        """By id or e-mail; ``me`` is the account's first user (the owner).

        A Zoom account always has an owner: in a world without users (right after a reset),
        ``me`` is a built-in owner who hosts nothing and is not listed by ``GET /users``.
        """
        with self.lock:
            if ref == "me":
                return self.users[0] if self.users else DEFAULT_OWNER
            return self.users_by_id.get(ref) or self.users_by_email.get(ref.lower())

    def add_webinar(self, webinar: Webinar) -> Webinar:
        with self.lock:
            self.webinars[webinar.id] = webinar
        return webinar

    def add_meeting(self, meeting: Meeting) -> Meeting:
        with self.lock:
            self.meetings[meeting.id] = meeting
        return meeting

    def add_meeting_instance(self, meeting: Meeting, instance: MeetingInstance
                             ) -> MeetingInstance:
        with self.lock:
            meeting.instances.append(instance)
            meeting.instances.sort(key=lambda i: i.start_time)
            self.meeting_instances_by_uuid[instance.uuid] = instance
        return instance

    def add_registrant(self, webinar: Webinar, reg: Registrant) -> Registrant:
        with self.lock:
            webinar.registrants.append(reg)
            webinar.reg_by_id[reg.id] = reg
            webinar.reg_by_email[reg.email.lower()] = reg
            webinar.buckets[API_STATUS[reg.status]].append(reg)
        return reg

    def set_registrant_status(self, webinar: Webinar, reg: Registrant, status: str) -> None:
        with self.lock:
            old, new = API_STATUS[reg.status], API_STATUS[status]
            reg.status = status
            if old != new:
                webinar.buckets[old].remove(reg)
                webinar.buckets[new].append(reg)

    def add_instance(self, webinar: Webinar, instance: Instance) -> Instance:
        with self.lock:
            webinar.instances.append(instance)
            webinar.instances.sort(key=lambda i: i.start_time)
            self.instances_by_uuid[instance.uuid] = instance
        return instance

    # ---------------------------------------------------------------- HubSpot data
    def add_property_group(self, data: dict, hubspot_defined: bool = False,
                           groups: dict | None = None) -> dict:
        """A contact property group, or one of ``groups`` (another object type's)."""
        group = {
            "name": data["name"],
            "label": data.get("label", data["name"]),
            "displayOrder": data.get("displayOrder", -1),
            "archived": False,
        }
        with self.lock:
            (self.property_groups if groups is None else groups)[group["name"]] = group
        return group

    def contact_by_email(self, email: str) -> Contact | None:
        return self.contacts_by_email.get((email or "").strip().lower())

    def create_contact(self, email: str, properties: dict, when: datetime | None = None
                       ) -> Contact:
        with self.lock:
            email = email.strip().lower()
            props = {k: v for k, v in properties.items() if v not in (None, "")}
            props["email"] = email
            contact = Contact(id=self.next_contact_id, properties=props,
                              created_at=when or self.clock.now())
            self.next_contact_id += 1
            self.contacts[contact.id] = contact
            self.contacts_by_email[email] = contact
            return contact

    def add_form(self, guid: str, name: str, fields: list[str]) -> Form:
        with self.lock:
            form = Form(guid=guid, name=name, fields=list(fields), created_at=self.clock.now())
            self.forms[guid] = form
            return form

    def submit_form(self, form: Form, values: dict, submitted_at_ms: int,
                    page_url: str = "") -> dict:
        """A submission of ``form``: recorded, and like a real one it creates the contact or
        updates the properties it filled in (values that are not contact properties are kept
        on the submission only)."""
        with self.lock:
            submission = {"conversionId": str(uuid.uuid4()), "submittedAt": submitted_at_ms,
                          "values": dict(values),
                          "pageUrl": page_url or f"https://{form.guid}.forms.example/"}
            form.submissions.append(submission)
            props = {k: str(v) for k, v in values.items()
                     if k in self.properties and k != "email" and v not in (None, "")}
            contact = self.contact_by_email(values["email"])
            if contact is None:
                self.create_contact(values["email"], props)
            elif props:
                contact.properties.update(props)
                contact.updated_at = self.clock.now()
            return submission

    def next_event_object_id(self) -> str:
        with self.lock:
            oid = str(self.next_event_id)
            self.next_event_id += 1
            return oid
