"""Zoom's objects as the sandbox keeps them: users, webinars, registrants, held instances and
their participant rows, and meetings with their held sessions."""

from __future__ import annotations

from datetime import UTC, datetime

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

# The kinds of custom question a Zoom registration form has.
QUESTION_TYPES = ("short", "single_radio", "single_dropdown", "multiple")

# Zoom's documented maxLength of a registrant's e-mail (adding one and listing them). Its
# other checks of the address are not that strict: "a@b@c" can be a registrant. A
# participant's user_email has no documented limit.
REGISTRANT_EMAIL_MAX_LENGTH = 128

# Internal registrant status -> the status Zoom's API shows (Zoom has no "cancelled").
API_STATUS = {"approved": "approved", "pending": "pending", "denied": "denied",
              "cancelled": "denied"}


class User:
    __slots__ = ("id", "email", "first_name", "last_name", "dept", "timezone", "pmi", "type",
                 "created_at", "last_login_time")

    def __init__(self, *, id, email, first_name, last_name, created_at, dept="",
                 timezone="UTC", pmi=0, type=2, last_login_time=None):
        self.id = id
        self.email = email
        self.first_name = first_name
        self.last_name = last_name
        self.dept = dept
        self.timezone = timezone
        self.pmi = pmi
        self.type = type
        self.created_at = created_at
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

    def __init__(self, *, id, email, first_name, create_time, last_name="", fields=None,
                 custom_questions=None, status="approved", tk="", occurrence_ids=None,
                 language="en-US"):
        self.id = id
        self.email = email
        self.first_name = first_name
        self.last_name = last_name
        self.fields = fields  # dict of REGISTRANT_FIELDS that are set, or None
        self.custom_questions = custom_questions  # list of {"title","value"} or None
        self.status = status  # approved | pending | denied | cancelled
        self.create_time = create_time
        self.tk = tk
        self.occurrence_ids = occurrence_ids  # None = every occurrence
        self.language = language


class Panelist:
    """Someone the host invited to speak: joins on their own link, never registers."""

    __slots__ = ("id", "email", "name", "tk")

    def __init__(self, *, id, email, name, tk=""):
        self.id = id
        self.email = email
        self.name = name
        self.tk = tk


# A participant row's status (Zoom's enum): time in the webinar, or time spent waiting to be
# admitted, which Zoom reports as a row of its own.
IN_MEETING = "in_meeting"
WAITING_ROOM = "in_waiting_room"
PARTICIPANT_STATUSES = (IN_MEETING, WAITING_ROOM)


class Participant:
    """One join/leave cycle of one person in one webinar instance (or one wait in the waiting
    room, with ``status`` WAITING_ROOM)."""

    __slots__ = ("id", "name", "user_id", "registrant_id", "user_email", "join_time",
                 "leave_time", "failover", "status", "internal_user")

    def __init__(self, *, id, name, user_id, registrant_id="", user_email="", join_time,
                 leave_time, failover=False, status=IN_MEETING, internal_user=False):
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
    """One ended (past) occurrence of a webinar.

    Right after a session Zoom lists it but has no report yet (``report_ready``), then lists
    its participants before their durations are computed (``durations_computed``); both are
    set with the ``/_sandbox/zoom/...`` controls.
    """

    __slots__ = ("uuid", "webinar_id", "start_time", "end_time", "occurrence_id",
                 "participants", "report_ready", "durations_computed")

    def __init__(self, *, uuid, webinar_id, start_time, end_time, occurrence_id=None):
        self.uuid = uuid
        self.webinar_id = webinar_id
        self.start_time = start_time
        self.end_time = end_time
        self.occurrence_id = occurrence_id
        self.participants: list[Participant] = []
        self.report_ready = True
        self.durations_computed = True

    def total_duration_s(self) -> int:
        """Everyone's time in the session, as Zoom reports it (0 while still computing)."""
        if not self.durations_computed:
            return 0
        return sum(p.duration for p in self.participants)


class Webinar:
    __slots__ = ("id", "uuid", "host_id", "topic", "type", "start_time", "duration",
                 "timezone", "agenda", "created_at", "settings", "recurrence", "occurrences",
                 "password", "reg_token", "custom_questions", "registrants", "reg_by_id",
                 "reg_by_email", "buckets", "instances", "is_simulive", "panelists",
                 "deleted_at")

    def __init__(self, *, id, uuid, host_id, topic, start_time, created_at, type=5,
                 duration=60, timezone="UTC", agenda="", settings=None, recurrence=None,
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
        self.created_at = created_at
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
        # When the host deleted it (DELETE /webinars/{id}): Zoom then answers 404 for the
        # webinar and its registrants, while its held sessions stay in the reports.
        self.deleted_at: datetime | None = None
        self.panelists: list[Panelist] = []

    @property
    def registration_required(self) -> bool:
        # approval_type 2 is Zoom's "No registration required"
        return self.settings.get("approval_type", 0) != 2

    @property
    def registers_per_occurrence(self) -> bool:
        """Registrants pick their sessions (registration_type 2 or 3; only recurring webinars
        with a fixed time have a registration type); 1 covers every session."""
        return self.type == 9 and self.settings.get("registration_type", 1) in (2, 3)

    def all_starts(self) -> list[datetime]:
        if self.occurrences:
            return [o["start_time"] for o in self.occurrences if o.get("status") != "deleted"]
        return [self.start_time]


class MeetingInstance:
    """One held (past) session of a meeting, with its participant rows."""

    __slots__ = ("uuid", "meeting_id", "start_time", "end_time", "participants")

    def __init__(self, *, uuid, meeting_id, start_time, end_time):
        self.uuid = uuid
        self.meeting_id = meeting_id
        self.start_time = start_time
        self.end_time = end_time
        self.participants: list[Participant] = []


class Meeting:
    """A Zoom meeting (type 2 scheduled, or 1 instant) and its held sessions."""

    __slots__ = ("id", "uuid", "host_id", "topic", "type", "start_time", "duration",
                 "timezone", "agenda", "created_at", "settings", "password", "status",
                 "instances", "deleted_at")

    def __init__(self, *, id, uuid, host_id, topic, start_time, created_at, type=2,
                 duration=60, timezone="UTC", agenda="", settings=None, password="",
                 status="waiting"):
        self.id = id  # int, 11 digits
        self.uuid = uuid
        self.host_id = host_id
        self.topic = topic
        self.type = type  # 1 instant, 2 scheduled
        self.start_time = start_time
        self.duration = duration
        self.timezone = timezone
        self.agenda = agenda
        self.created_at = created_at
        self.settings = settings or {}  # only the settings given; the rest are defaults
        self.password = password
        self.status = status  # waiting | started
        self.instances: list[MeetingInstance] = []  # held sessions, oldest first
        # When the host deleted it: its own endpoints then answer 404 (code 3001) while its
        # held sessions stay reachable through /past_meetings.
        self.deleted_at: datetime | None = None
