from django.contrib import admin, messages
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.html import format_html

from .models import Registrant, Webinar, WebinarInstance
from .services.triggers import (
    webinar_sync_enqueue,
    webinar_sync_toggle,
    webinars_sync_disable,
    webinars_sync_enable,
)


class WhenFilter(admin.SimpleListFilter):
    title = "when"
    parameter_name = "when"

    def lookups(self, request, model_admin):
        return [("upcoming", "Upcoming"), ("past", "Past")]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "upcoming":
            return queryset.filter(start_time__gt=now)
        if self.value() == "past":
            return queryset.filter(start_time__lte=now)
        return queryset


class InstanceInline(admin.TabularInline):
    model = WebinarInstance
    extra = 0
    can_delete = False
    fields = ["occurrence_id", "uuid", "scheduled_start", "started_at", "ended_at",
              "hubspot_completed_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Webinar)
class WebinarAdmin(admin.ModelAdmin):
    list_display = ["topic", "zoom_id", "start_time", "host_email", "zoom_account",
                    "registrant_count", "sync_enabled", "last_sync"]
    list_display_links = ["topic"]
    list_editable = ["sync_enabled"]
    list_filter = ["zoom_account", WhenFilter, "sync_enabled", "last_sync_status"]
    search_fields = ["topic", "zoom_id", "host_email", "host_id"]
    actions = ["sync_now", "enable_sync", "disable_sync"]
    inlines = [InstanceInline]
    readonly_fields = ["zoom_account", "zoom_id", "uuid", "host_id", "host_email", "topic",
                       "type", "start_time", "duration", "timezone", "join_url",
                       "registration_url", "last_synced_at", "last_sync_status",
                       "last_sync_error", "discovered_at"]
    exclude = ["raw", "settings"]
    list_per_page = 50

    def has_add_permission(self, request):
        return False  # webinars come from Zoom

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("zoom_account").annotate(
            n_registrants=Count("registrants", filter=Q(
                registrants__status__in=[Registrant.Status.APPROVED, Registrant.Status.PENDING]
            ))
        )

    @admin.display(description="Registrants", ordering="n_registrants")
    def registrant_count(self, obj):
        return obj.n_registrants

    @admin.display(description="Last sync", ordering="last_synced_at")
    def last_sync(self, obj):
        run = obj.sync_runs.order_by("-created_at").first()
        if run is None:
            return "never"
        colors = {"succeeded": "#2e7d32", "failed": "#c62828", "running": "#1565c0",
                  "queued": "#6d6d6d"}
        when = timezone.localtime(run.finished_at or run.created_at)
        label = run.get_status_display()
        if run.status == "running":
            label = f"{label} {run.progress}"
        return format_html('<span style="color:{}" title="{}">{}</span> · {}',
                           colors.get(run.status, "#333"), run.error, label,
                           when.strftime("%Y-%m-%d %H:%M"))

    def save_model(self, request, obj, form, change):
        if change and "sync_enabled" in form.changed_data:
            webinar_sync_toggle(webinar=obj, enabled=obj.sync_enabled, trigger="checkbox")
        else:
            super().save_model(request, obj, form, change)

    @admin.action(description="Sync now")
    def sync_now(self, request, queryset):
        for webinar in queryset:
            webinar_sync_enqueue(webinar=webinar, trigger="sync now")
        self.message_user(request, f"Queued a sync of {queryset.count()} webinar(s).")

    @admin.action(description="Enable sync")
    def enable_sync(self, request, queryset):
        runs = webinars_sync_enable(webinars=list(queryset), trigger="enable action")
        self.message_user(request, f"Sync enabled; {len(runs)} sync(s) queued.")

    @admin.action(description="Disable sync")
    def disable_sync(self, request, queryset):
        count = webinars_sync_disable(webinars=list(queryset))
        self.message_user(request, f"Sync disabled for {count} webinar(s).", messages.INFO)
