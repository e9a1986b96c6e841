from django.contrib import admin

from .models import Activity, Contact


class ActivityInline(admin.TabularInline):
    model = Activity
    extra = 0
    can_delete = False
    fields = ["occurred_at", "kind", "title", "details", "hubspot_pushed_at"]
    readonly_fields = fields
    ordering = ["-occurred_at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ["email", "first_name", "last_name", "webinar_registrations",
                    "webinars_attended", "avg_attendance_pct", "last_attended_webinar",
                    "hubspot_id", "created_by_sync"]
    search_fields = ["email", "first_name", "last_name", "hubspot_id"]
    list_filter = ["created_by_sync"]
    inlines = [ActivityInline]
    readonly_fields = ["email", "hubspot_id", "created_by_sync", "webinar_registrations",
                       "webinars_attended", "avg_attendance_pct", "avg_attendance_minutes",
                       "last_registered_webinar", "last_attended_webinar", "last_join_url",
                       "pushed_at", "created_at", "updated_at"]
    exclude = ["pushed_hash"]

    def has_add_permission(self, request):
        return False
