from django.db import models


class Contact(models.Model):
    """A person we push to HubSpot, identified by lower-cased e-mail."""

    email = models.CharField(max_length=254, unique=True)
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    hubspot_id = models.CharField(max_length=32, blank=True, db_index=True)
    # The e-mail of the HubSpot contact this person was matched to when ours is only one of
    # its secondary e-mails (blank otherwise): what pushes and attendance records name.
    hubspot_email = models.CharField(max_length=254, blank=True)
    # When HubSpot told us (contact.deletion) that the contact we pushed was deleted there:
    # a sync recreates it only when the "recreate deleted contacts" setting says so.
    hubspot_deleted_at = models.DateTimeField("deleted in HubSpot", null=True, blank=True)
    created_by_sync = models.BooleanField(
        default=False, help_text="HubSpot contact was created by this integration."
    )
    # Roll-ups, as defined in the product spec (§5.2).
    webinar_registrations = models.PositiveIntegerField(default=0)
    webinars_attended = models.PositiveIntegerField(default=0)
    avg_attendance_pct = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    avg_attendance_minutes = models.DecimalField(
        max_digits=8, decimal_places=1, null=True, blank=True
    )
    last_registered_webinar = models.CharField(max_length=300, blank=True)
    last_attended_webinar = models.CharField(max_length=300, blank=True)
    last_join_url = models.CharField(max_length=500, blank=True)
    # What we last sent to HubSpot, so an unchanged contact costs no API call.
    pushed_hash = models.CharField(max_length=64, blank=True)
    pushed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["email"]

    def __str__(self):
        name = f"{self.first_name} {self.last_name}".strip()
        return f"{name} <{self.email}>" if name else self.email


class Activity(models.Model):
    """One entry on a contact's timeline (and, for webinars, one HubSpot attendance record).

    Sources (webinars, later meetings) write them; `details` carries the facts the roll-ups
    are computed from, so the contacts app never reads a source's own tables.
    """

    class Kind(models.TextChoices):
        WEBINAR_REGISTERED = "webinar_registered", "Registered for webinar"
        WEBINAR_ATTENDED = "webinar_attended", "Attended webinar"
        WEBINAR_NO_SHOW = "webinar_no_show", "Did not attend webinar"
        WEBINAR_CANCELLED = "webinar_cancelled", "Cancelled webinar registration"

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="activities")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    occurred_at = models.DateTimeField(db_index=True)
    title = models.CharField(max_length=300)
    details = models.JSONField(default=dict, blank=True)
    # e.g. the marketing event id: together with contact and kind it makes the entry unique.
    source_key = models.CharField(max_length=200)
    hubspot_pushed_at = models.DateTimeField(null=True, blank=True)
    # Handed to HubSpot, and no answer recorded yet: until HubSpot's own records say whether
    # it arrived, the entry is neither pushed nor safe to send again.
    hubspot_sending_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-occurred_at"]
        verbose_name_plural = "activities"
        constraints = [
            models.UniqueConstraint(
                fields=["contact", "kind", "source_key"], name="one_activity_per_source"
            )
        ]
        # Attendance pushes read one marketing event's records of one kind at a time.
        indexes = [models.Index(fields=["source_key", "kind"], name="activity_source_kind")]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.title}"
