from django.contrib import admin

from .models import Activity, Contact


class ActivityInline(admin.TabularInline):
    model = Activity
    extra = 0
    can_delete = False
    fields = ["occurred_at", "kind", "title", "summary", "in_hubspot"]
    readonly_fields = fields
    ordering = ["-occurred_at"]
    verbose_name_plural = "timeline"

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="Details")
    def summary(self, obj):
        details = obj.details or {}
        if obj.kind == Activity.Kind.WEBINAR_ATTENDED and details.get("attended_seconds"):
            minutes = details["attended_seconds"] / 60
            pct = details.get("attended_pct")
            return f"{minutes:.0f} min" + (f" ({pct:.0f}% of the session)" if pct else "")
        if details.get("status"):
            return f"Registration {details['status']}"
        return ""

    @admin.display(description="In HubSpot")
    def in_hubspot(self, obj):
        if obj.hubspot_pushed_at:
            return obj.hubspot_pushed_at
        if obj.hubspot_sending_at:
            # the next sync asks HubSpot whether it arrived before sending it again
            return "Sent; the next sync checks that HubSpot has it"
        return "-"


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    """Read-only: contacts are written by the sync; sales read their timeline here."""

    list_display = ["email", "first_name", "last_name", "webinar_registrations",
                    "webinars_attended", "avg_attendance_pct", "last_attended_webinar",
                    "hubspot_id", "created_by_sync", "hubspot_deleted_at"]
    search_fields = ["email", "first_name", "last_name", "hubspot_id"]
    list_filter = ["created_by_sync", ("hubspot_deleted_at", admin.EmptyFieldListFilter)]
    inlines = [ActivityInline]
    fields = ["email", "first_name", "last_name", "hubspot_id", "created_by_sync",
              "hubspot_deleted_at",
              "webinar_registrations", "webinars_attended", "avg_attendance_pct",
              "avg_attendance_minutes", "last_registered_webinar", "last_attended_webinar",
              "last_join_url", "pushed_at", "created_at", "updated_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
