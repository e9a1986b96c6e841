"""The in-memory state of the sandbox: one Zoom account and one HubSpot portal.

Everything lives in a ``World`` guarded by one ``threading.RLock`` (``world.lock``). Handlers
take the lock for the whole read-modify-reply step, so every request sees a consistent state.

Large listings are kept as per-webinar / per-instance Python lists in a stable order, and a
Zoom ``next_page_token`` maps to ``(listing key, offset)``, so serving a page is O(page size).
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import Counter
from datetime import UTC, datetime

from .common import iso_ms, utcnow
from .limits import Faults, Limits
from .tokens import TokenStore

# --------------------------------------------------------------------------------------------
# Fixed credentials (also served by GET /_sandbox/credentials)
# --------------------------------------------------------------------------------------------

ZOOM_ACCOUNT_ID = "sandbox-zoom-account"
ZOOM_CLIENT_ID = "sandbox-zoom-client-id"
ZOOM_CLIENT_SECRET = "sandbox-zoom-client-secret-7f3a9c2e41d8"
ZOOM_WEBHOOK_SECRET = "sandbox-zoom-webhook-secret-4b8d1e6f0a93"
HUBSPOT_TOKEN = "pat-na1-5a9d1c3e-0b7f-4e2a-9c6d-8f1e2a3b4c5d"
HUBSPOT_PORTAL_ID = "424242"
HUBSPOT_APP_ID = "1001"
HUBSPOT_CLIENT_SECRET = "5d0c3b9a-1e2f-4a6b-8c7d-9e0f1a2b3c4d"
# A Zoom *user-OAuth* app (authorization-code flow), distinct from the Server-to-Server app.
ZOOM_OAUTH_CLIENT_ID = "sandbox-zoom-oauth-client-id"
ZOOM_OAUTH_CLIENT_SECRET = "sandbox-zoom-oauth-client-secret-2c9e5a7b13f4"
# The HubSpot public app's OAuth client id (its secret is HUBSPOT_CLIENT_SECRET).
HUBSPOT_CLIENT_ID = "8f2b6c1d-3a4e-4f5a-9b8c-7d6e5f4a3b2c"
HUBSPOT_HUB_DOMAIN = "sandbox.hubspot.example"
HUBSPOT_USER = "admin@sandbox.example"

ZOOM_SCOPE = "user:read:admin webinar:read:admin webinar:write:admin report:read:admin"
HUBSPOT_DEFAULT_SCOPES = ["oauth", "crm.objects.contacts.read", "crm.objects.contacts.write",
                          "crm.schemas.contacts.read", "crm.schemas.contacts.write",
                          "crm.objects.marketing_events.read",
                          "crm.objects.marketing_events.write"]

# Registrant standard fields besides email / first_name / last_name (Zoom's order).
REGISTRANT_FIELDS = (
    "address",
    "city",
    "country",
    "zip",
    "state",
    "phone",
    "industry",
    "org",
    "job_title",
    "purchasing_time_frame",
    "role_in_purchase_process",
    "no_of_employees",
    "comments",
)

# Internal registrant status -> the status Zoom's API shows (Zoom has no "cancelled").
API_STATUS = {"approved": "approved", "pending": "pending", "denied": "denied",
              "cancelled": "denied"}


def credentials() -> dict:
    return {
        "zoom": {
            "account_id": ZOOM_ACCOUNT_ID,
            "client_id": ZOOM_CLIENT_ID,
            "client_secret": ZOOM_CLIENT_SECRET,
            "webhook_secret": ZOOM_WEBHOOK_SECRET,
            "oauth_client_id": ZOOM_OAUTH_CLIENT_ID,
            "oauth_client_secret": ZOOM_OAUTH_CLIENT_SECRET,
        },
        "hubspot": {
            "token": HUBSPOT_TOKEN,
            "portal_id": HUBSPOT_PORTAL_ID,
            "app_id": HUBSPOT_APP_ID,
            "client_id": HUBSPOT_CLIENT_ID,
            "client_secret": HUBSPOT_CLIENT_SECRET,
        },
    }


# --------------------------------------------------------------------------------------------
# Zoom objects
# --------------------------------------------------------------------------------------------


class User:
    __slots__ = ("id", "email", "first_name", "last_name", "dept", "timezone", "pmi", "type",
                 "created_at", "last_login_time")

    def __init__(self, *, id, email, first_name, last_name, dept="", timezone="UTC", pmi=0,
                 type=2, created_at=None, last_login_time=None):
        self.id = id
        self.email = email
        self.first_name = first_name
        self.last_name = last_name
        self.dept = dept
        self.timezone = timezone
        self.pmi = pmi
        self.type = type
        self.created_at = created_at or utcnow()
        self.last_login_time = last_login_time or self.created_at

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


DEFAULT_OWNER = User(id="sAnDbOxOwNeR0000000001", email="owner@sandbox.example",
                     first_name="Sandbox", last_name="Owner", type=2, pmi=5_550_000_001,
                     created_at=datetime(2024, 1, 1, tzinfo=UTC))


class Registrant:
    __slots__ = ("id", "email", "first_name", "last_name", "fields", "custom_questions",
                 "status", "create_time", "tk", "occurrence_ids", "language")

    def __init__(self, *, id, email, first_name, last_name="", fields=None,
                 custom_questions=None, status="approved", create_time=None, tk="",
                 occurrence_ids=None, language="en-US"):
        self.id = id
        self.email = email
        self.first_name = first_name
        self.last_name = last_name
        self.fields = fields  # dict of REGISTRANT_FIELDS that are set, or None
        self.custom_questions = custom_questions  # list of {"title","value"} or None
        self.status = status  # approved | pending | denied | cancelled
        self.create_time = create_time or utcnow()
        self.tk = tk
        self.occurrence_ids = occurrence_ids  # None = every occurrence
        self.language = language


class Participant:
    """One join/leave cycle of one person in one webinar instance."""

    __slots__ = ("id", "name", "user_id", "registrant_id", "user_email", "join_time",
                 "leave_time", "failover", "status", "internal_user")

    def __init__(self, *, id, name, user_id, registrant_id="", user_email="", join_time,
                 leave_time, failover=False, status="in_meeting", internal_user=False):
        self.id = id
        self.name = name
        self.user_id = user_id
        self.registrant_id = registrant_id
        self.user_email = user_email
        self.join_time = join_time
        self.leave_time = leave_time
        self.failover = failover
        self.status = status
        self.internal_user = internal_user

    @property
    def duration(self) -> int:
        return max(0, int((self.leave_time - self.join_time).total_seconds()))


class Instance:
    """One ended (past) occurrence of a webinar."""

    __slots__ = ("uuid", "webinar_id", "start_time", "end_time", "occurrence_id",
                 "participants")

    def __init__(self, *, uuid, webinar_id, start_time, end_time, occurrence_id=None):
        self.uuid = uuid
        self.webinar_id = webinar_id
        self.start_time = start_time
        self.end_time = end_time
        self.occurrence_id = occurrence_id
        self.participants: list[Participant] = []


class Webinar:
    __slots__ = ("id", "uuid", "host_id", "topic", "type", "start_time", "duration",
                 "timezone", "agenda", "created_at", "settings", "recurrence", "occurrences",
                 "password", "reg_token", "custom_questions", "registrants", "reg_by_id",
                 "reg_by_email", "buckets", "instances", "is_simulive")

    def __init__(self, *, id, uuid, host_id, topic, type=5, start_time, duration=60,
                 timezone="UTC", agenda="", created_at=None, settings=None, recurrence=None,
                 occurrences=None, password="", reg_token="", custom_questions=None,
                 is_simulive=False):
        self.id = id  # int
        self.uuid = uuid
        self.host_id = host_id
        self.topic = topic
        self.type = type  # 5 webinar, 6 recurring no fixed time, 9 recurring fixed time
        self.start_time = start_time
        self.duration = duration
        self.timezone = timezone
        self.agenda = agenda
        self.created_at = created_at or utcnow()
        self.settings = settings or {}
        self.recurrence = recurrence
        # [{"occurrence_id": str, "start_time": datetime, "duration": int, "status": str}]
        self.occurrences = occurrences or []
        self.password = password
        self.reg_token = reg_token
        # registration questions: [{"title","type","required","answers"}]
        self.custom_questions = custom_questions or []
        self.is_simulive = is_simulive
        self.registrants: list[Registrant] = []  # every registrant, registration order
        self.reg_by_id: dict[str, Registrant] = {}
        self.reg_by_email: dict[str, Registrant] = {}
        # API-visible status -> registrants (denied holds denied + cancelled)
        self.buckets: dict[str, list[Registrant]] = {"approved": [], "pending": [],
                                                     "denied": []}
        self.instances: list[Instance] = []  # ended instances, oldest first

    def all_starts(self) -> list[datetime]:
        if self.occurrences:
            return [o["start_time"] for o in self.occurrences if o.get("status") != "deleted"]
        return [self.start_time]


# --------------------------------------------------------------------------------------------
# HubSpot objects
# --------------------------------------------------------------------------------------------


class Contact:
    __slots__ = ("id", "properties", "created_at", "updated_at")

    def __init__(self, *, id: int, properties: dict, created_at: datetime,
                 updated_at: datetime | None = None):
        self.id = id
        self.properties = properties
        self.created_at = created_at
        self.updated_at = updated_at or created_at

    def value(self, name: str):
        if name == "hs_object_id":
            return str(self.id)
        if name == "createdate":
            return iso_ms(self.created_at)
        if name == "lastmodifieddate":
            return iso_ms(self.updated_at)
        return self.properties.get(name)


class MarketingEvent:
    __slots__ = ("object_id", "external_account_id", "external_event_id", "event_name",
                 "event_type", "event_organizer", "event_description", "event_url",
                 "start", "end", "cancelled", "completed", "custom_properties",
                 "created_at", "updated_at", "attendance")

    def __init__(self, *, object_id: str, external_account_id: str, external_event_id: str):
        self.object_id = object_id
        self.external_account_id = external_account_id
        self.external_event_id = external_event_id
        self.event_name = ""
        self.event_type = None
        self.event_organizer = ""
        self.event_description = None
        self.event_url = None
        self.start = None  # datetime
        self.end = None
        self.cancelled = False
        self.completed = False
        self.custom_properties: list = []
        self.created_at = utcnow()
        self.updated_at = self.created_at
        # appended records {"email","state","interactionDateTime","joinedAt","leftAt",...}
        self.attendance: list[dict] = []


def _prop(name, label, type_, field_type, *, options=None, readonly=False, form=True,
          description=""):
    return {
        "name": name,
        "label": label,
        "type": type_,
        "fieldType": field_type,
        "groupName": "contactinformation",
        "description": description,
        "options": [
            {"label": lbl, "value": val, "displayOrder": i, "hidden": False}
            for i, (lbl, val) in enumerate(options or [])
        ],
        "displayOrder": -1,
        "calculated": False,
        "externalOptions": False,
        "hasUniqueValue": False,
        "hidden": False,
        "hubspotDefined": True,
        "modificationMetadata": {"archivable": False, "readOnlyDefinition": True,
                                 "readOnlyValue": readonly},
        "formField": form and not readonly,
        "dataSensitivity": "non_sensitive",
    }


def default_properties() -> list[dict]:
    emp = ["1-5", "5-25", "25-50", "50-100", "100-500", "500-1000", "1000+"]
    stages = [("Subscriber", "subscriber"), ("Lead", "lead"),
              ("Marketing Qualified Lead", "marketingqualifiedlead"),
              ("Sales Qualified Lead", "salesqualifiedlead"), ("Opportunity", "opportunity"),
              ("Customer", "customer"), ("Evangelist", "evangelist"), ("Other", "other")]
    return [
        _prop("email", "Email", "string", "text", description="A contact's email address"),
        _prop("firstname", "First Name", "string", "text"),
        _prop("lastname", "Last Name", "string", "text"),
        _prop("phone", "Phone Number", "string", "phonenumber"),
        _prop("company", "Company Name", "string", "text"),
        _prop("jobtitle", "Job Title", "string", "text"),
        _prop("address", "Street Address", "string", "text"),
        _prop("city", "City", "string", "text"),
        _prop("state", "State/Region", "string", "text"),
        _prop("zip", "Postal Code", "string", "text"),
        _prop("country", "Country/Region", "string", "text"),
        _prop("industry", "Industry", "string", "text"),
        _prop("numemployees", "Number of Employees", "enumeration", "select",
              options=[(v, v) for v in emp]),
        _prop("message", "Message", "string", "textarea"),
        _prop("hs_object_id", "Record ID", "number", "number", readonly=True),
        _prop("createdate", "Create Date", "datetime", "date", readonly=True),
        _prop("lastmodifieddate", "Last Modified Date", "datetime", "date", readonly=True),
        _prop("lifecyclestage", "Lifecycle Stage", "enumeration", "radio", options=stages),
    ]


DEFAULT_PROPERTY_NAMES = frozenset(p["name"] for p in default_properties())
READ_ONLY_PROPERTIES = frozenset({"hs_object_id", "createdate", "lastmodifieddate"})


class PageTokenError(Exception):
    pass


# --------------------------------------------------------------------------------------------
# The world
# --------------------------------------------------------------------------------------------


class World:
    def __init__(self):
        self.lock = threading.RLock()
        self.base_url = "http://127.0.0.1:8765"
        # Survive reset() (and so seeding): only POST /_sandbox/reset clears limits and faults;
        # token state is never cleared, like the tokens themselves.
        self.limits = Limits()
        self.faults = Faults()
        self.tokens = TokenStore()
        self.reset()

    # lifetimes (set with POST /_sandbox/limits; attributes kept for tests)
    @property
    def zoom_token_ttl_s(self) -> float:
        return self.limits.ttl("zoom_token_ttl_s")

    @zoom_token_ttl_s.setter
    def zoom_token_ttl_s(self, value: float) -> None:
        self.limits.set_ttl("zoom_token_ttl_s", value)

    @property
    def hubspot_token_ttl_s(self) -> float:
        return self.limits.ttl("hubspot_token_ttl_s")

    @hubspot_token_ttl_s.setter
    def hubspot_token_ttl_s(self, value: float) -> None:
        self.limits.set_ttl("hubspot_token_ttl_s", value)

    @property
    def page_token_ttl_s(self) -> float:
        return self.limits.ttl("page_token_ttl_s")

    @page_token_ttl_s.setter
    def page_token_ttl_s(self, value: float) -> None:
        self.limits.set_ttl("page_token_ttl_s", value)

    # ---------------------------------------------------------------- reset / counters
    def reset(self) -> None:
        with self.lock:
            # Zoom
            self.users: list[User] = []
            self.users_by_id: dict[str, User] = {}
            self.users_by_email: dict[str, User] = {}
            self.webinars: dict[int, Webinar] = {}
            self.instances_by_uuid: dict[str, Instance] = {}
            self.page_tokens: dict[str, tuple] = {}
            # HubSpot
            self.contacts: dict[int, Contact] = {}
            self.contacts_by_email: dict[str, Contact] = {}
            self.next_contact_id = 101
            self.property_groups: dict[str, dict] = {}
            self.properties: dict[str, dict] = {}
            now = iso_ms(utcnow())
            self.add_property_group({"name": "contactinformation",
                                     "label": "Contact information", "displayOrder": 0},
                                    hubspot_defined=True)
            for p in default_properties():
                p["createdAt"] = now
                p["updatedAt"] = now
                p["archived"] = False
                self.properties[p["name"]] = p
            self.marketing_events: dict[tuple[str, str], MarketingEvent] = {}
            self.next_event_id = 5_000_001
            # Zoom: successful registrations per (webinar id, e-mail, UTC day)
            self.registrations_today: Counter = Counter()
            self.reset_calls()

    def reset_calls(self) -> None:
        with self.lock:
            self.calls: Counter = Counter()
            self.calls_total = 0
            self.calls_rate_limited = 0
            self.calls_rate_limited_by: Counter = Counter()
            self.calls_by_status: Counter = Counter()
            self.fault_counts: Counter = Counter({k: 0 for k in
                                                  ("error", "rate_limit", "reset", "slow",
                                                   "partial")})

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
            now = time.time()
            if len(self.page_tokens) > 5000:
                self.page_tokens = {t: v for t, v in self.page_tokens.items() if v[2] > now}
            self.page_tokens[token] = (key, offset, now + self.page_token_ttl_s)
        return token

    def page_token_offset(self, token: str, key: tuple) -> int:
        with self.lock:
            entry = self.page_tokens.get(token)
        if entry is None or entry[0] != key or time.time() >= entry[2]:
            raise PageTokenError(token)
        return entry[1]

    def expire_page_tokens(self) -> None:
        """Make every issued next_page_token expired (for tests)."""
        with self.lock:
            self.page_tokens = {t: (k, o, 0.0) for t, (k, o, _e) in self.page_tokens.items()}

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
    def add_property_group(self, data: dict, hubspot_defined: bool = False) -> dict:
        group = {
            "name": data["name"],
            "label": data.get("label", data["name"]),
            "displayOrder": data.get("displayOrder", -1),
            "archived": False,
        }
        with self.lock:
            self.property_groups[group["name"]] = group
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
                              created_at=when or utcnow())
            self.next_contact_id += 1
            self.contacts[contact.id] = contact
            self.contacts_by_email[email] = contact
            return contact

    def next_event_object_id(self) -> str:
        with self.lock:
            oid = str(self.next_event_id)
            self.next_event_id += 1
            return oid
