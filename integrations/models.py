from django.db import models
from django.utils import timezone
from solo.models import SingletonModel

from .fields import EncryptedTextField


class ConnectionStatus(models.TextChoices):
    CONNECTED = "connected", "Connected"
    ERROR = "error", "Error"
    RECONNECT_NEEDED = "reconnect_needed", "Reconnect needed"
    DEAUTHORIZED = "deauthorized", "Deauthorized"


class HubSpotPortal(models.Model):
    class AuthType(models.TextChoices):
        PRIVATE_APP = "private_app", "Private app token"
        OAUTH = "oauth", "OAuth app"

    name = models.CharField(max_length=200, default="HubSpot")
    hub_id = models.CharField("portal (hub) id", max_length=32, blank=True)
    auth_type = models.CharField(
        max_length=20, choices=AuthType.choices, default=AuthType.PRIVATE_APP
    )
    access_token = EncryptedTextField(blank=True)
    refresh_token = EncryptedTextField(blank=True)
    token_expires_at = models.DateTimeField(null=True, blank=True)
    app_id = models.CharField(max_length=32, blank=True)
    client_secret = EncryptedTextField(
        blank=True, help_text="The app's client secret, used to check HubSpot request signatures."
    )
    status = models.CharField(
        max_length=20, choices=ConnectionStatus.choices, default=ConnectionStatus.CONNECTED
    )
    last_error = models.TextField(blank=True)
    last_checked_at = models.DateTimeField(null=True, blank=True)
    # Which version of our contact properties exists in this portal (set after creating them).
    properties_hash = models.CharField(max_length=32, blank=True, editable=False)
    # The same for our marketing-event properties (the webinar's facts on each event).
    event_properties_hash = models.CharField(max_length=32, blank=True, editable=False)
    # the contact properties of the user's question mappings, as last made sure to exist
    mapped_properties_hash = models.CharField(max_length=32, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "HubSpot portal"

    def __str__(self):
        return f"{self.name} ({self.hub_id})" if self.hub_id else self.name


class ZoomAccount(models.Model):
    class AuthType(models.TextChoices):
        SERVER_TO_SERVER = "s2s", "Server-to-Server OAuth"
        OAUTH = "oauth", "User OAuth"

    name = models.CharField(max_length=200)
    zoom_account_id = models.CharField("Zoom account id", max_length=64, unique=True)
    auth_type = models.CharField(
        max_length=10, choices=AuthType.choices, default=AuthType.SERVER_TO_SERVER
    )
    client_id = models.CharField(max_length=200)
    client_secret = EncryptedTextField(blank=True)
    access_token = EncryptedTextField(blank=True)
    refresh_token = EncryptedTextField(blank=True)
    token_expires_at = models.DateTimeField(null=True, blank=True)
    webhook_secret = EncryptedTextField(
        blank=True, help_text="The app's webhook secret token, used to check Zoom signatures."
    )
    api_url = models.URLField(
        blank=True, help_text="Regional API base URL that Zoom returned with the token, if any."
    )
    hubspot_portal = models.ForeignKey(
        HubSpotPortal,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="zoom_accounts",
        help_text="Where this account's registrants and attendees go.",
    )
    status = models.CharField(
        max_length=20, choices=ConnectionStatus.choices, default=ConnectionStatus.CONNECTED
    )
    last_error = models.TextField(blank=True)
    last_checked_at = models.DateTimeField(null=True, blank=True)
    # When Zoom last listed the account's users (see ZoomUser): never, or long ago, and a
    # sync lists them again before it reads anyone.
    users_listed_at = models.DateTimeField(null=True, blank=True, editable=False)
    # When the schedule last listed the account's webinars: with webhooks on it does so only
    # every SYNC_UPCOMING_MINUTES_WITH_WEBHOOKS (webinar.created brings new ones at once).
    webinars_listed_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "Zoom account"

    def __str__(self):
        return self.name


class ZoomUser(models.Model):
    """One user of a linked Zoom account, as Zoom last listed them: our own people, whom a
    sync never turns into leads when they register for or join a webinar."""

    account = models.ForeignKey(ZoomAccount, on_delete=models.CASCADE, related_name="users")
    # Zoom gives no id for a user who has not activated their account yet.
    zoom_user_id = models.CharField("Zoom user id", max_length=64, blank=True, db_index=True)
    email = models.CharField(max_length=254, help_text="Lower-cased.")

    class Meta:
        verbose_name = "Zoom user"
        constraints = [
            models.UniqueConstraint(fields=["account", "email"], name="one_zoom_user_per_email"),
        ]

    def __str__(self):
        return self.email


class SyncSettings(SingletonModel):
    class FieldPolicy(models.TextChoices):
        FILL_EMPTY = "fill_empty", "Only fill empty HubSpot fields"
        OVERWRITE = "overwrite", "Overwrite HubSpot fields with Zoom values"

    class MeetingScope(models.TextChoices):
        OFF = "off", "Off"
        LISTED_HOSTS = "listed_hosts", "Listed hosts only"
        ALL = "all", "All hosts"

    auto_sync_new_webinars = models.BooleanField(
        default=False,
        help_text="Tick the Sync box on every webinar created in Zoom from now on (not on past "
                  "webinars a backfill finds).",
    )
    # When auto-sync was last turned on: only webinars created in Zoom since then are ticked.
    auto_sync_enabled_at = models.DateTimeField(null=True, blank=True, editable=False)
    sync_recordings_and_transcripts = models.BooleanField(default=False)
    meeting_sync_scope = models.CharField(
        max_length=20, choices=MeetingScope.choices, default=MeetingScope.OFF
    )
    listed_hosts = models.TextField(blank=True, help_text="Host e-mails, one per line.")
    contact_exclusion_domains = models.TextField(
        blank=True,
        help_text="E-mail domains never pushed to HubSpot (e.g. your own company), one per line.",
    )
    host_exclusions = models.TextField(
        blank=True,
        help_text="Hosts (e-mails, one per line) whose webinars are never discovered or synced.",
    )
    contact_field_policy = models.CharField(
        max_length=20, choices=FieldPolicy.choices, default=FieldPolicy.FILL_EMPTY
    )
    recreate_deleted_contacts = models.BooleanField(
        default=True,
        help_text="A contact deleted in HubSpot is created again when a sync pushes the "
                  "person again; off, such people are left out (each sync run counts them).")
    match_secondary_emails = models.BooleanField(
        "match secondary e-mails", default=True,
        help_text="Before creating a contact, ask HubSpot whether the address is another "
                  "contact's secondary e-mail, and update that contact instead.")
    let_hubspot_send_confirmations = models.BooleanField(
        default=False, help_text="HubSpot e-mails the people it registers (with the join link, "
                                 "zoomsync_last_join_url): webinar pages then warn while Zoom "
                                 "sends its own confirmation too.")

    class Meta:
        verbose_name = "Sync settings"

    def __str__(self):
        return "Sync settings"

    def save(self, *args, **kwargs):
        # turning auto-sync on starts its clock; every way of saving the settings goes here
        was_on = type(self).objects.filter(pk=self.pk).values_list(
            "auto_sync_new_webinars", flat=True).first()
        if self.auto_sync_new_webinars and not was_on:
            self.auto_sync_enabled_at = timezone.now()
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "auto_sync_enabled_at"}
        super().save(*args, **kwargs)

    @property
    def excluded_domains(self) -> set[str]:
        return _lines(self.contact_exclusion_domains, strip_at=True)

    @property
    def excluded_hosts(self) -> set[str]:
        return _lines(self.host_exclusions)


def _lines(text: str, *, strip_at: bool = False) -> set[str]:
    out = set()
    for item in text.replace(",", "\n").splitlines():
        item = item.strip().lower()
        if strip_at:
            item = item.lstrip("@")
        if item:
            out.add(item)
    return out


class WebhookDelivery(models.Model):
    """Every signed webhook call (one row per event of a HubSpot batch), stored before it is
    processed so nothing is lost. Calls whose signature fails are refused and never stored."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        PROCESSED = "processed", "Processed"
        FAILED = "failed", "Failed"
        IGNORED = "ignored", "Ignored"
        DUPLICATE = "duplicate", "Duplicate"

    provider = models.CharField(max_length=20)
    event_type = models.CharField(max_length=100, blank=True)
    dedupe_key = models.CharField(max_length=200, blank=True, db_index=True)
    # The Zoom account id or HubSpot portal id whose secret verified the call.
    account_key = models.CharField("account", max_length=64, blank=True)
    # When the event happened, as the sender says (ms since the epoch: Zoom's event_ts,
    # HubSpot's occurredAt): deliveries arrive late and out of order, handlers compare this.
    event_ts = models.BigIntegerField("event time (ms)", null=True, blank=True, db_index=True)
    headers = models.JSONField(default=dict)
    body = models.TextField()
    remote_ip = models.GenericIPAddressField(null=True, blank=True)
    received_at = models.DateTimeField(default=timezone.now, db_index=True)
    signature_valid = models.BooleanField(default=False)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    # What the handler said it did (or why it did nothing).
    note = models.TextField(blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    # Set while a worker processes the pending delivery (so two workers never take the same
    # one); a claim older than a few minutes is a crashed worker's, and is taken again.
    claimed_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name_plural = "webhook deliveries"
        ordering = ["-received_at"]
        indexes = [models.Index(fields=["status", "claimed_at"], name="webhook_delivery_todo")]

    def __str__(self):
        return f"{self.provider} {self.event_type} @ {self.received_at:%Y-%m-%d %H:%M:%S}"


class WebhookInbox(models.Model):
    """One row: whether a drain (the task processing pending deliveries) is queued or running.
    A delivery stored asks for one only when none is, so a burst of thousands of events is
    processed by one task, in batches."""

    drain_queued_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "webhook inbox"

    def __str__(self):
        return "Webhook inbox"


class SyncRun(models.Model):
    """One sync job as the user sees it: what, how far along, and what went wrong.

    Generic on purpose: each source app (webinars, later meetings) names its own kinds, and
    points at what it synced by a label and a key, never by a foreign key into its models.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    kind = models.CharField(max_length=40, db_index=True)
    target = models.CharField("what", max_length=255, blank=True)
    target_key = models.CharField(
        max_length=100, blank=True, help_text="The synced object's id in its source app."
    )
    trigger = models.CharField(max_length=50, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    counts = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Single flight: "kind:target_key" while the run is queued or running, cleared when it
    # ends. Unique, so the database itself refuses a second active run of the same target,
    # whichever process or machine asks.
    active_key = models.CharField(max_length=150, null=True, blank=True, unique=True,
                                  editable=False)
    # The lease: until when the run counts as alive. A queued run waits this long for a
    # worker; a running one renews it with each progress save, so a run whose worker died
    # lapses and the next trigger may start afresh.
    lease_expires_at = models.DateTimeField("alive until", null=True, blank=True)
    worker = models.CharField(max_length=100, blank=True,
                              help_text="The machine and process that ran it.")

    # Set on the run a trigger hands back: True when it joined a run already queued or
    # running instead of opening a new one (not stored).
    joined = False

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["kind", "target_key"], name="syncrun_target")]

    def __str__(self):
        return f"{self.kind_label} {self.target} ({self.status})"

    @property
    def kind_label(self) -> str:
        from .runs import run_kind_label

        return run_kind_label(self.kind)

    @property
    def progress(self) -> str:
        return f"{self.done}/{self.total}" if self.total else "–"


class UsedOAuthState(models.Model):
    """The nonce of every OAuth `state` that came back to a callback: each state works once.

    Rows older than the state's lifetime are useless (the signature check refuses the state
    first) and are deleted as new ones arrive.
    """

    nonce = models.CharField(max_length=64, unique=True)
    used_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "used OAuth state"

    def __str__(self):
        return f"OAuth state used at {self.used_at:%Y-%m-%d %H:%M:%S}"
