from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import Count, OuterRef, Q, Subquery
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from integrations.admin import RUN_COLORS, ZoomAccountAdmin
from integrations.errors import IntegrationError
from integrations.models import SyncRun, SyncSettings, ZoomAccount
from integrations.runs import run_counts_text, sync_run_joined_text

from .models import Lifecycle, Registrant, Webinar, WebinarInstance
from .selectors import webinar_invalid_emails, webinar_people_on_stage
from .services.discovery import BACKFILL_DEFAULT_MONTHS, backfill_default_since
from .services.lifecycle import webinar_lifecycle_text
from .services.registration import (
    webinar_registers_from_hubspot,
    webinar_zoom_confirmation_off,
    zoom_sends_confirmation,
)
from .services.runs import KIND_SYNC, webinar_runs
from .services.triggers import (
    account_backfill_enqueue,
    webinar_sync_enqueue,
    webinar_sync_toggle,
    webinars_sync_disable,
    webinars_sync_enable,
)

RECENT_RUNS = 5
INVALID_EMAILS_SHOWN = 200


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


def _counts_line(run: SyncRun):
    text = run_counts_text(run=run, skip_zero=True)
    return format_html("<br>{}", text) if text else ""


class InstanceInline(admin.TabularInline):
    model = WebinarInstance
    extra = 0
    can_delete = False
    fields = ["occurrence_id", "zoom_uuid", "scheduled_start", "started_at", "ended_at",
              "participants_synced_at", "attendance_waiting", "lifecycle",
              "hubspot_completed_at", "hubspot_cancelled_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="Zoom uuid")
    def zoom_uuid(self, obj):
        # a session the host restarted has two, whose attendance adds up
        uuids = obj.zoom_uuids
        if len(uuids) < 2:
            return uuids[0] if uuids else "-"
        return format_html("{}<br>(restarted: {})", uuids[0], ", ".join(uuids[1:]))


@admin.register(Webinar)
class WebinarAdmin(admin.ModelAdmin):
    # The Sync box and its outcome come first: they are what this page is for.
    list_display = ["sync_enabled", "topic", "start_time", "last_sync", "zoom_status",
                    "registrant_count", "zoom_id", "host_email", "zoom_account"]
    list_display_links = ["topic"]
    list_editable = ["sync_enabled"]
    list_filter = ["zoom_account", WhenFilter, "sync_enabled", "last_sync_status", "lifecycle"]
    search_fields = ["topic", "zoom_id", "host_email", "host_id"]
    actions = ["sync_now", "enable_sync", "disable_sync", "zoom_confirmation_off"]
    inlines = [InstanceInline]
    readonly_fields = ["zoom_account", "zoom_id", "uuid", "host_id", "host_email", "topic",
                       "type", "start_time", "duration", "timezone", "join_url",
                       "registration_url", "lifecycle", "lifecycle_note", "last_synced_at",
                       "last_sync_status", "last_sync_error", "sync_history", "invalid_emails",
                       "on_stage", "confirmation_emails",
                       "discovered_at"]
    exclude = ["raw", "settings"]
    list_per_page = 50
    # As the model's own ordering, which the registrant count's GROUP BY would drop: the
    # autocomplete box (form → webinar rules) pages through this queryset.
    ordering = ["-start_time"]

    def has_add_permission(self, request):
        return False  # webinars come from Zoom

    def get_queryset(self, request):
        # The latest run's columns come with the list query: one query per page, not per row.
        latest = SyncRun.objects.filter(kind=KIND_SYNC, target_key=OuterRef("zoom_id")).order_by(
            "-created_at", "-pk")
        return super().get_queryset(request).select_related("zoom_account").annotate(
            n_registrants=Count("registrants", filter=Q(
                registrants__status__in=[Registrant.Status.APPROVED, Registrant.Status.PENDING]
            )),
            run_status=Subquery(latest.values("status")[:1]),
            run_done=Subquery(latest.values("done")[:1]),
            run_total=Subquery(latest.values("total")[:1]),
            run_error=Subquery(latest.values("error")[:1]),
            run_created=Subquery(latest.values("created_at")[:1]),
            run_finished=Subquery(latest.values("finished_at")[:1]),
        )

    @admin.display(description="Registrants", ordering="n_registrants")
    def registrant_count(self, obj):
        return obj.n_registrants

    @admin.display(description="Last sync", ordering="last_synced_at")
    def last_sync(self, obj):
        if obj.run_status is None:
            return "never"
        when = timezone.localtime(obj.run_finished or obj.run_created)
        label = SyncRun.Status(obj.run_status).label
        if obj.run_status == SyncRun.Status.RUNNING and obj.run_total:
            label = f"{label} {obj.run_done}/{obj.run_total}"
        return format_html('<span style="color:{}" title="{}">{}</span> · {}',
                           RUN_COLORS.get(obj.run_status, "#333"), obj.run_error, label,
                           when.strftime("%Y-%m-%d %H:%M"))

    @admin.display(description="Status in Zoom", ordering="lifecycle")
    def zoom_status(self, obj):
        if obj.lifecycle == Lifecycle.ACTIVE:
            return ""
        return format_html('<span style="color:#c62828" title="{}">{}</span>',
                           webinar_lifecycle_text(webinar=obj), obj.get_lifecycle_display())

    @admin.display(description="Status in Zoom, explained")
    def lifecycle_note(self, obj):
        return webinar_lifecycle_text(webinar=obj) or "–"

    @admin.display(description="Recent syncs")
    def sync_history(self, obj):
        runs = list(webinar_runs(webinar=obj)[:RECENT_RUNS])
        if not runs:
            return "never synced"
        rows = format_html_join(
            "", '<li><a href="{}">{}</a> · <span style="color:{}">{}</span> {} {}{}</li>',
            ((reverse("admin:integrations_syncrun_change", args=[run.pk]),
              timezone.localtime(run.created_at).strftime("%Y-%m-%d %H:%M"),
              RUN_COLORS.get(run.status, "#333"), run.get_status_display(), run.trigger,
              run.error[:200], _counts_line(run)) for run in runs))
        return format_html("<ul>{}</ul>", rows)

    @admin.display(description="Invalid e-mail addresses")
    def invalid_emails(self, obj):
        """The people Zoom gave an address that is not an e-mail: kept here, never sent to
        HubSpot, to be corrected in Zoom (or left out)."""
        found = webinar_invalid_emails(webinar=obj)
        if not found:
            return "none"
        rows = format_html_join("", "<li><code>{}</code> {} — {}; {}</li>", (
            (item.email, f"({item.name})" if item.name else "", item.problem,
             " and ".join(what for what, yes in (("registered", item.registered),
                                                 ("attended", item.attended)) if yes))
            for item in found[:INVALID_EMAILS_SHOWN]))
        more = len(found) - INVALID_EMAILS_SHOWN
        return format_html('<ul style="overflow-wrap:anywhere">{}</ul>{}', rows,
                           f"and {more} more" if more > 0 else "")

    @admin.display(description="On stage")
    def on_stage(self, obj):
        """Panelists, hosts and our own account's users who joined: kept here, never
        contacts or attendees."""
        found = webinar_people_on_stage(webinar=obj)
        if not found:
            return "none"
        rows = format_html_join("", "<li>{} <code>{}</code> — {}</li>", (
            (item.name, item.email, item.role) for item in found[:INVALID_EMAILS_SHOWN]))
        return format_html("<ul>{}</ul>", rows)

    def save_model(self, request, obj, form, change):
        if change and "sync_enabled" in form.changed_data:
            run = webinar_sync_toggle(webinar=obj, enabled=obj.sync_enabled, trigger="checkbox")
            if run is not None and run.joined:
                self._joined(request, run)
        else:
            super().save_model(request, obj, form, change)

    def _joined(self, request, run):
        self.message_user(request, sync_run_joined_text(run=run), messages.WARNING)

    @admin.action(description="Sync now", permissions=["change"])
    def sync_now(self, request, queryset):
        queued = 0
        for webinar in queryset:
            note = webinar_lifecycle_text(webinar=webinar)
            if note:  # synced all the same: Zoom may have restored it or reported it late
                self.message_user(request, f"“{webinar}”: {note}", messages.INFO)
            run = webinar_sync_enqueue(webinar=webinar, trigger="sync now")
            if run.joined:
                self._joined(request, run)
            else:
                queued += 1
        if queued:
            self.message_user(request, f"Queued a sync of {queued} webinar(s).")

    @admin.display(description="Confirmation e-mails")
    def confirmation_emails(self, obj):
        zoom = zoom_sends_confirmation(obj)
        hubspot = SyncSettings.get_solo().let_hubspot_send_confirmations
        if zoom and hubspot and webinar_registers_from_hubspot(obj):
            return format_html(
                '<strong style="color:#c62828">{}</strong> {}',
                "Both Zoom and HubSpot send a confirmation to people HubSpot registers.",
                "Select the webinar in the list and use “Let HubSpot send confirmations: turn "
                "Zoom's off”.")
        if zoom:
            return "Zoom sends its confirmation e-mail to each new registrant."
        return "Zoom sends no confirmation e-mail (HubSpot's e-mails can use the join link)."

    @admin.action(description="Let HubSpot send confirmations: turn Zoom's off",
                  permissions=["change"])
    def zoom_confirmation_off(self, request, queryset):
        done, failed = 0, []
        for webinar in queryset.select_related("zoom_account"):
            try:
                webinar_zoom_confirmation_off(webinar=webinar)
                done += 1
            except IntegrationError as exc:
                failed.append(f"{webinar.topic}: {exc.message}")
        if done:
            self.message_user(request, f"Zoom's confirmation e-mail is off for {done} "
                              "webinar(s).", messages.SUCCESS)
        for failure in failed:
            self.message_user(request, failure, messages.ERROR)

    @admin.action(description="Enable sync", permissions=["change"])
    def enable_sync(self, request, queryset):
        runs = webinars_sync_enable(webinars=list(queryset), trigger="enable action")
        for run in runs:
            if run.joined:
                self._joined(request, run)
        queued = sum(not run.joined for run in runs)
        self.message_user(request, f"Sync enabled; {queued} sync(s) queued.")

    @admin.action(description="Disable sync", permissions=["change"])
    def disable_sync(self, request, queryset):
        count = webinars_sync_disable(webinars=list(queryset))
        self.message_user(request, f"Sync disabled for {count} webinar(s).", messages.INFO)


# --- "Backfill past webinars" on linked Zoom accounts ---------------------------------------

class BackfillForm(forms.Form):
    since = forms.DateField(
        label="Webinars held since",
        help_text=f"Default: {BACKFILL_DEFAULT_MONTHS} months ago. Zoom keeps its reports for "
                  "about a year.",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    sync_all = forms.BooleanField(
        label="Sync them all", required=False,
        help_text="Tick the Sync box on every webinar found. Otherwise only those already "
                  "ticked are synced (auto-sync ticks webinars created after it was turned "
                  "on, never past ones).",
    )


@admin.action(description="Backfill past webinars", permissions=["change"])
def backfill_past_webinars(modeladmin, request, queryset):
    """Asks from when, then queues a backfill per account (discovery, then a sync of every
    enabled webinar, each its own run); the sync-run list shows them as they go."""
    if "apply" in request.POST:
        form = BackfillForm(request.POST)
        if form.is_valid():
            since = form.cleaned_data["since"]
            for account in queryset:
                account_backfill_enqueue(account=account, since=since, trigger="admin backfill",
                                         sync_all=form.cleaned_data["sync_all"])
            modeladmin.message_user(
                request, f"Backfill since {since:%Y-%m-%d} queued for {queryset.count()} "
                "account(s): webinars are discovered first, then each enabled one is synced.")
            return HttpResponseRedirect(reverse("admin:integrations_syncrun_changelist"))
    else:
        form = BackfillForm(initial={"since": backfill_default_since()})
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": "Backfill past webinars",
        "opts": modeladmin.model._meta,
        "accounts": list(queryset),
        "form": form,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "action_name": "backfill_past_webinars",
    }
    return TemplateResponse(request, "admin/webinars/backfill_confirm.html", context)


# The Zoom account admin lives in integrations; backfilling belongs to the webinar sync, so
# this app registers the account admin again with its action added.
admin.site.unregister(ZoomAccount)


@admin.register(ZoomAccount)
class ZoomAccountWithWebinarsAdmin(ZoomAccountAdmin):
    actions = [*ZoomAccountAdmin.actions, backfill_past_webinars]

from . import admin_registration  # noqa: E402,F401  (its own module: registrations from HubSpot)
