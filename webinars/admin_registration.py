"""Admin pages of registrations coming from HubSpot: the question ↔ property table, and every
registration HubSpot asked for, with its outcome and a retry for the ones that failed."""

from django.contrib import admin, messages

from .models import HubSpotRegistration, QuestionMapping, RegistrationRule
from .services.form_rules import registration_rule_poll
from .services.registration import hubspot_registration_complete

Outcome = HubSpotRegistration.Outcome


@admin.register(QuestionMapping)
class QuestionMappingAdmin(admin.ModelAdmin):
    list_display = ["question", "kind", "hubspot_property"]
    list_editable = ["hubspot_property"]
    list_filter = ["kind"]
    search_fields = ["question", "hubspot_property"]


@admin.register(HubSpotRegistration)
class HubSpotRegistrationAdmin(admin.ModelAdmin):
    list_display = ["email", "zoom_webinar_id", "webinar", "source", "outcome", "reason",
                    "attempts", "created_at"]
    list_filter = ["outcome", "source"]
    search_fields = ["email", "zoom_webinar_id", "request_key"]
    readonly_fields = [f.name for f in HubSpotRegistration._meta.fields]
    actions = ["retry"]

    def has_add_permission(self, request):
        return False

    def has_retry_permission(self, request):
        return self.has_change_permission(request)

    @admin.action(description="Try the registration again", permissions=["retry"])
    def retry(self, request, queryset):
        done = {}
        for registration in queryset.exclude(outcome=Outcome.REGISTERED):
            registration.outcome = Outcome.WAITING
            registration.save(update_fields=["outcome", "updated_at"])
            outcome = hubspot_registration_complete(registration=registration).outcome
            done[outcome] = done.get(outcome, 0) + 1
        summary = ", ".join(f"{n} {Outcome(o).label.lower()}" for o, n in sorted(done.items()))
        self.message_user(request, f"Tried again: {summary or 'nothing to retry'}.",
                          messages.INFO)


@admin.register(RegistrationRule)
class RegistrationRuleAdmin(admin.ModelAdmin):
    list_display = ["__str__", "form_guid", "webinar", "enabled", "last_polled_at",
                    "last_error"]
    list_filter = ["enabled"]
    autocomplete_fields = ["webinar"]
    readonly_fields = ["submitted_until", "last_polled_at", "last_error", "created_at"]
    actions = ["poll_now"]

    @admin.action(description="Read the forms for new submissions now",
                  permissions=["change"])
    def poll_now(self, request, queryset):
        counts: dict[str, int] = {}
        for rule in queryset.select_related("webinar__zoom_account"):
            for outcome, n in registration_rule_poll(rule=rule).items():
                counts[outcome] = counts.get(outcome, 0) + n
        summary = ", ".join(f"{n} {Outcome(o).label.lower()}" for o, n in sorted(counts.items()))
        self.message_user(request, f"Forms read: {summary or 'no new submissions'}.",
                          messages.INFO)
