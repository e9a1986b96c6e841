from datetime import timedelta

from django.db import models
from django.utils import timezone as dj_timezone

# Room for an address Zoom gave that is too long to be an e-mail (those stop at 254
# characters): it is kept, up to this length, so a marketer can find and fix it.
MIRROR_EMAIL_LENGTH = 512
EMAIL_PROBLEM_HELP = ("Why this address is not a valid e-mail: such a person stays here and is "
                      "never sent to HubSpot.")


def instance_length_seconds(started_at, ended_at, scheduled_minutes: int) -> int:
    """Actual end − start when known, else the scheduled length (the spec's roll-up definition)."""
    if started_at and ended_at and ended_at > started_at:
        return int((ended_at - started_at).total_seconds())
    return scheduled_minutes * 60


class Lifecycle(models.TextChoices):
    """Where a webinar (or one of its sessions) stands in Zoom, beyond its schedule."""

    ACTIVE = "", "Active"
    DELETED = "deleted", "Deleted in Zoom"
    NOT_HELD = "not_held", "Not held"


class Webinar(models.Model):
    zoom_account = models.ForeignKey(
        "integrations.ZoomAccount", on_delete=models.CASCADE, related_name="webinars"
    )
    zoom_id = models.CharField("webinar id", max_length=32, unique=True)
    uuid = models.CharField(max_length=64, blank=True)
    host_id = models.CharField(max_length=64, blank=True)
    host_email = models.CharField(max_length=254, blank=True)
    topic = models.CharField(max_length=300)
    type = models.PositiveSmallIntegerField(default=5)
    start_time = models.DateTimeField(null=True, blank=True, db_index=True)
    duration = models.PositiveIntegerField("duration (min)", default=0)
    timezone = models.CharField(max_length=64, blank=True)
    join_url = models.CharField(max_length=500, blank=True)
    registration_url = models.CharField(max_length=500, blank=True)
    settings = models.JSONField(default=dict, blank=True)
    sync_enabled = models.BooleanField("sync", default=False, db_index=True)
    last_synced_at = models.DateTimeField(null=True, blank=True)
    last_sync_status = models.CharField(max_length=20, blank=True)
    last_sync_error = models.TextField(blank=True)
    raw = models.JSONField(default=dict, blank=True)
    discovered_at = models.DateTimeField(default=dj_timezone.now)
    # Deleted in Zoom, or its time passed without a session: the schedule stops polling it
    # (a deleted one with held sessions is still synced from Zoom's reports).
    lifecycle = models.CharField("status in Zoom", max_length=10, choices=Lifecycle.choices,
                                 blank=True, default=Lifecycle.ACTIVE, db_index=True)
    lifecycle_changed_at = models.DateTimeField("status since", null=True, blank=True)
    # Zoom's time (event_ts, ms) of the latest webhook applied to the webinar's own fields: an
    # older one arriving late changes nothing.
    zoom_event_ts = models.BigIntegerField(null=True, blank=True, editable=False)
    # Set while a push of the changes webhooks recorded (LiveChange) is queued: one at a time.
    live_push_queued_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-start_time"]

    def __str__(self):
        return f"{self.topic} ({self.zoom_id})"

    RECURRING_TYPES = (6, 9)

    @property
    def is_recurring(self) -> bool:
        return self.type in self.RECURRING_TYPES

    @property
    def is_upcoming(self) -> bool:
        return bool(self.start_time and self.start_time > dj_timezone.now())

    # Zoom's settings.approval_type 2: "No registration required".
    NO_REGISTRATION = 2
    # Zoom's settings.registration_type (recurring webinars with a fixed time, type 9):
    # 1 = register once, attend any session; 2 = register for each session; 3 = register once
    # and pick one or more sessions.
    REGISTERED_PER_SESSION = (2, 3)

    @property
    def registration_off(self) -> bool:
        """Zoom's settings say the webinar takes no registration (unknown counts as on)."""
        return (self.settings or {}).get("approval_type") == self.NO_REGISTRATION

    @property
    def registers_per_session(self) -> bool:
        """Registrants pick their sessions: who registered for which one is Zoom's to say."""
        return self.type == 9 and (self.settings or {}).get(
            "registration_type") in self.REGISTERED_PER_SESSION


class WebinarInstance(models.Model):
    """One session of a webinar (a recurring webinar has several): one HubSpot marketing event."""

    webinar = models.ForeignKey(Webinar, on_delete=models.CASCADE, related_name="instances")
    # "" for a one-off webinar; Zoom's occurrence id (epoch ms of the slot) for recurring ones.
    occurrence_id = models.CharField(max_length=32, blank=True)
    uuid = models.CharField(max_length=64, blank=True, help_text="Zoom's id of the held session.")
    # Every uuid Zoom gave this session: a host who restarts it gives it another one, and the
    # rows of all of them are the session's attendance.
    held_uuids = models.JSONField(default=list, blank=True)
    scheduled_start = models.DateTimeField(null=True, blank=True)
    scheduled_duration = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    # Set once a complete, settled participant list is stored; until then the event is not
    # completed and the session is fetched again on every sync.
    participants_synced_at = models.DateTimeField(null=True, blank=True)
    attendance_waiting = models.CharField(
        max_length=200, blank=True,
        help_text="Why Zoom's attendance data for this session is not stored yet.",
    )
    hubspot_event_hash = models.CharField(max_length=64, blank=True)
    hubspot_completed_at = models.DateTimeField(null=True, blank=True)
    # On a webinar registered per session: when the session's own registrant list was last
    # read from Zoom. Read once after the session is over, it cannot change any more.
    registrants_listed_at = models.DateTimeField(null=True, blank=True)
    # Deleted in Zoom (the webinar or this occurrence) or never held: its event is cancelled.
    lifecycle = models.CharField("status in Zoom", max_length=10, choices=Lifecycle.choices,
                                 blank=True, default=Lifecycle.ACTIVE)
    hubspot_cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["scheduled_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["webinar", "occurrence_id"], name="one_instance_per_occurrence"
            )
        ]

    def __str__(self):
        when = self.started_at or self.scheduled_start
        return f"{self.webinar.topic} @ {when:%Y-%m-%d %H:%M}" if when else self.webinar.topic

    @property
    def external_event_id(self) -> str:
        base = f"zoom-webinar-{self.webinar.zoom_id}"
        return f"{base}-{self.occurrence_id}" if self.occurrence_id else base

    @property
    def length_seconds(self) -> int:
        return instance_length_seconds(self.started_at, self.ended_at, self.scheduled_duration)

    @property
    def has_ended(self) -> bool:
        return self.ended_at is not None

    @property
    def is_held(self) -> bool:
        return bool(self.uuid)

    @property
    def over_at(self):
        """When the session was over: its actual end, else its scheduled one (None when it
        has no time at all)."""
        if self.ended_at:
            return self.ended_at
        if self.scheduled_start:
            return self.scheduled_start + timedelta(minutes=self.scheduled_duration)
        return None

    @property
    def zoom_uuids(self) -> list[str]:
        """Every uuid Zoom gave the held session (two or more when the host restarted it)."""
        if self.uuid and self.uuid not in self.held_uuids:
            return [*self.held_uuids, self.uuid]
        return list(self.held_uuids)


class Registrant(models.Model):
    class Status(models.TextChoices):
        APPROVED = "approved", "Approved"
        PENDING = "pending", "Pending"
        DENIED = "denied", "Denied"
        CANCELLED = "cancelled", "Cancelled"

    webinar = models.ForeignKey(Webinar, on_delete=models.CASCADE, related_name="registrants")
    zoom_registrant_id = models.CharField(max_length=64)
    email = models.CharField(max_length=MIRROR_EMAIL_LENGTH, db_index=True)
    email_problem = models.CharField("invalid e-mail", max_length=100, blank=True,
                                     help_text=EMAIL_PROBLEM_HELP)
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    answers = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices)
    join_url = models.CharField(max_length=500, blank=True)
    registered_at = models.DateTimeField(null=True, blank=True)
    contact = models.ForeignKey(
        "contacts.Contact", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="registrations",
    )
    occurrence_ids = models.JSONField(
        "sessions", null=True, blank=True,
        help_text="The Zoom occurrence ids of the sessions registered for, on a recurring "
                  "webinar whose registrants pick their sessions; none (null) means every "
                  "session.")
    raw = models.JSONField(default=dict, blank=True)
    # When Zoom said the registration was cancelled (its webhook): HubSpot's cancel record
    # carries that time.
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # Zoom's time (event_ts, ms) of the latest webhook applied to this registrant's status.
    zoom_event_ts = models.BigIntegerField(null=True, blank=True, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["webinar", "zoom_registrant_id"], name="unique_registrant_per_webinar"
            )
        ]

    def __str__(self):
        return f"{self.email} → {self.webinar.topic}"



class AttendanceSession(models.Model):
    """One join/leave cycle of one participant (a rejoining attendee has several)."""

    class Role(models.TextChoices):
        ATTENDEE = "attendee", "Attendee"
        PANELIST = "panelist", "Panelist"
        HOST = "host", "Host or internal user"

    instance = models.ForeignKey(
        WebinarInstance, on_delete=models.CASCADE, related_name="sessions"
    )
    zoom_uuid = models.CharField(max_length=64, blank=True)
    participant_id = models.CharField(max_length=64, blank=True)
    registrant = models.ForeignKey(
        Registrant, null=True, blank=True, on_delete=models.SET_NULL, related_name="sessions"
    )
    contact = models.ForeignKey(
        "contacts.Contact", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="attendance_sessions",
    )
    name = models.CharField(max_length=200, blank=True)
    email = models.CharField(max_length=MIRROR_EMAIL_LENGTH, blank=True, db_index=True)
    email_problem = models.CharField("invalid e-mail", max_length=100, blank=True,
                                     help_text=EMAIL_PROBLEM_HELP)
    # Panelists, hosts and our account's users are on stage, not in the audience: never
    # contacts, never attendees.
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.ATTENDEE)
    join_time = models.DateTimeField()
    leave_time = models.DateTimeField(null=True, blank=True)
    duration_s = models.PositiveIntegerField(default=0)
    raw = models.JSONField(default=dict, blank=True)
    # When the import that last listed this row started: rows an import did not see are gone
    # from Zoom and are deleted once the listing completes.
    seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["join_time"]
        constraints = [
            models.UniqueConstraint(
                fields=["instance", "zoom_uuid", "participant_id", "join_time"],
                name="one_row_per_join",
            )
        ]

    def __str__(self):
        return f"{self.name or self.email or 'guest'} @ {self.join_time:%H:%M}"

    @property
    def is_guest(self) -> bool:
        return not self.email and self.registrant_id is None


class ParticipantEvent(models.Model):
    """A join or a leave Zoom announced by webhook. A participant's attendance rows are built
    from all of them, in time order, whatever order they arrived in; until Zoom's participant
    report of the session is stored, which then replaces those rows."""

    class Kind(models.TextChoices):
        JOINED = "joined", "Joined"
        LEFT = "left", "Left"

    instance = models.ForeignKey(WebinarInstance, on_delete=models.CASCADE,
                                 related_name="participant_events")
    zoom_uuid = models.CharField(max_length=64)
    # who, across their joins: Zoom's participant_uuid, else their id, else their e-mail
    participant_key = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    at = models.DateTimeField()
    raw = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["instance", "zoom_uuid", "participant_key", "kind", "at"],
                name="one_participant_event",
            )
        ]

    def __str__(self):
        return f"{self.participant_key} {self.kind} @ {self.at:%H:%M:%S}"


class LiveChange(models.Model):
    """A contact whose webinar facts a webhook changed, waiting for the next batched push."""

    webinar = models.ForeignKey(Webinar, on_delete=models.CASCADE, related_name="live_changes")
    contact = models.ForeignKey("contacts.Contact", on_delete=models.CASCADE,
                                related_name="+")
    changed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["webinar", "contact"], name="one_live_change")
        ]

    def __str__(self):
        return f"contact {self.contact_id} of webinar {self.webinar_id}"


# Zoom's standard registration fields (GET /webinars/{id}/registrants/questions), by name.
STANDARD_FIELDS = {
    "last_name": "Last name", "address": "Address", "city": "City", "country": "Country/Region",
    "zip": "Zip/Postal code", "state": "State/Province", "phone": "Phone",
    "industry": "Industry", "org": "Organization", "job_title": "Job title",
    "purchasing_time_frame": "Purchasing time frame",
    "role_in_purchase_process": "Role in purchase process",
    "no_of_employees": "Number of employees", "comments": "Questions and comments",
}
# The HubSpot contact property each standard field is filled from (and written to) when no
# mapping says otherwise: HubSpot's own default properties.
DEFAULT_FIELD_PROPERTIES = {
    "last_name": "lastname", "address": "address", "city": "city", "country": "country",
    "zip": "zip", "state": "state", "phone": "phone", "industry": "industry",
    "org": "company", "job_title": "jobtitle",
}


class QuestionMapping(models.Model):
    """A Zoom registration question and the HubSpot contact property that answers it: used to
    fill the question when HubSpot registers someone, and to write Zoom's answer back to the
    contact."""

    class Kind(models.TextChoices):
        STANDARD = "standard", "Standard field"
        CUSTOM = "custom", "Custom question"

    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.CUSTOM)
    question = models.CharField(
        max_length=300, help_text="A standard field's name (org, job_title, phone, country…) "
                                  "or a custom question's title, as the webinar asks it.")
    hubspot_property = models.CharField(
        "HubSpot contact property", max_length=100,
        help_text="Internal name, e.g. company or webinar_topic_of_interest.")
    # Zoom's type of a custom question (short, single_radio, single_dropdown, multiple), as
    # last seen in a webinar's registration form; "" until then
    question_type = models.CharField(max_length=20, blank=True, editable=False)

    class Meta:
        verbose_name = "registration question mapping"
        constraints = [models.UniqueConstraint(fields=["kind", "question"],
                                               name="one_mapping_per_question")]
        ordering = ["kind", "question"]

    def __str__(self):
        return f"{self.question} ↔ {self.hubspot_property}"


class HubSpotRegistration(models.Model):
    """A registration HubSpot asked for (a workflow action run, or a form submission a rule
    picked up) and what came of it. One per HubSpot request, so a repeated request never
    registers twice."""

    class Source(models.TextChoices):
        WORKFLOW = "workflow", "Workflow action"
        FORM = "form", "Form rule"

    class Outcome(models.TextChoices):
        REGISTERED = "registered", "Registered"
        WAITING = "waiting", "Waiting for Zoom"
        FAILED = "failed", "Failed"

    source = models.CharField(max_length=10, choices=Source.choices)
    # HubSpot's id of the request: the workflow action's callbackId, the form's conversionId
    request_key = models.CharField(max_length=100)
    webinar = models.ForeignKey(Webinar, on_delete=models.SET_NULL, null=True,
                                related_name="hubspot_registrations")
    zoom_webinar_id = models.CharField("webinar id", max_length=32)
    email = models.CharField(max_length=254)
    # the contact's properties as HubSpot sent them, to answer the webinar's questions
    properties = models.JSONField(default=dict, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices,
                               default=Outcome.WAITING)
    reason = models.TextField(blank=True, help_text="Why it failed, or why it waits.")
    zoom_registrant_id = models.CharField(max_length=64, blank=True)
    join_url = models.CharField(max_length=500, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    # when HubSpot's workflow got the final outcome: in the action's answer, or (for one
    # answered BLOCK) by completing its callback
    callback_completed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=dj_timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "registration from HubSpot"
        verbose_name_plural = "registrations from HubSpot"
        constraints = [models.UniqueConstraint(fields=["source", "request_key"],
                                               name="one_registration_per_request")]
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.email} → {self.zoom_webinar_id} ({self.get_outcome_display()})"


class RegistrationRule(models.Model):
    """A HubSpot form whose submitters are registered for a Zoom webinar (any HubSpot tier:
    the form's submissions are polled, no workflow needed)."""

    form_guid = models.CharField("HubSpot form id", max_length=64,
                                 help_text="The form's id (GUID), from its URL in HubSpot.")
    form_name = models.CharField(max_length=200, blank=True)
    webinar = models.ForeignKey(Webinar, on_delete=models.CASCADE,
                                related_name="registration_rules")
    enabled = models.BooleanField(default=True)
    # the newest submission taken (HubSpot's submittedAt, ms): the next poll stops there
    submitted_until = models.BigIntegerField(null=True, blank=True, editable=False)
    last_polled_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_error = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField(default=dj_timezone.now, editable=False)

    class Meta:
        verbose_name = "form → webinar rule"
        constraints = [models.UniqueConstraint(fields=["form_guid", "webinar"],
                                               name="one_rule_per_form_and_webinar")]

    def __str__(self):
        return f"{self.form_name or self.form_guid} → {self.webinar}"
