import json

from django import forms
from django.contrib import admin, messages
from django.utils.html import format_html
from solo.admin import SingletonModelAdmin

from .errors import IntegrationError
from .fields import UNREADABLE_LABEL, secret_state
from .models import HubSpotPortal, SyncRun, SyncSettings, WebhookDelivery, ZoomAccount
from .runs import run_counts_text, run_kinds
from .services.accounts import hubspot_portal_test, zoom_account_add, zoom_account_test
from .services.oauth import oauth_settings_explain, zoom_account_disconnect
from .services.webhooks import webhook_deliveries_reprocess, webhook_url


class SecretInput(forms.PasswordInput):
    """Write-only: never renders the stored value; a blank submission keeps it."""

    def __init__(self, attrs=None):
        super().__init__(attrs={"autocomplete": "new-password", **(attrs or {})},
                         render_value=False)


SECRET_HELP = {
    "set": "Stored (hidden). Leave blank to keep it, type a new value to replace it.",
    "not set": "Not set.",
    UNREADABLE_LABEL: "Stored, but unreadable — enter it again: FIELD_ENCRYPTION_KEY no "
                      "longer decrypts it. Left blank, the unreadable value is kept.",
}


class SecretFieldsForm(forms.ModelForm):
    secret_fields: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.secret_fields:
            if name not in self.fields:
                continue
            field = self.fields[name]
            field.widget = SecretInput()
            field.required = False
            stored = getattr(self.instance, name) if self.instance.pk else ""
            field.help_text = SECRET_HELP[secret_state(stored)]

    def clean(self):
        cleaned = super().clean()
        for name in self.secret_fields:
            if name in cleaned and not cleaned[name] and self.instance.pk:
                cleaned[name] = getattr(self.instance, name)
        return cleaned


class ZoomAccountForm(SecretFieldsForm):
    secret_fields = ("client_secret", "webhook_secret")

    class Meta:
        model = ZoomAccount
        fields = ["name", "zoom_account_id", "auth_type", "client_id", "client_secret",
                  "webhook_secret", "hubspot_portal"]


class HubSpotPortalForm(SecretFieldsForm):
    secret_fields = ("access_token", "client_secret")

    class Meta:
        model = HubSpotPortal
        fields = ["name", "hub_id", "auth_type", "access_token", "app_id", "client_secret"]


def _status_badge(obj):
    colors = {"connected": "#2e7d32", "error": "#c62828", "reconnect_needed": "#ef6c00",
              "deauthorized": "#6d6d6d"}
    return format_html('<b style="color:{}">{}</b>', colors.get(obj.status, "#333"),
                       obj.get_status_display())


def _secret_shown(name: str, label: str):
    """An admin column or read-only row that tells whether a secret is stored, never what."""

    @admin.display(description=label)
    def shown(self, obj):
        return secret_state(getattr(obj, name))

    return shown


class LinkedAccountAdmin(admin.ModelAdmin):
    """What Zoom accounts and HubSpot portals share: health badge, OAuth help, a live test.

    Secrets are write-only. A user who may change the account gets empty password inputs; a
    user who may only view it gets, in their place, "set", "not set" or "unreadable" — Django
    would otherwise print a read-only field's value as it is.
    """

    provider = ""
    connection_test = None  # the service that checks one account
    secret_labels: dict[str, str] = {}  # every secret column of the row, tokens included

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if obj is None or self.has_change_permission(request, obj):
            return fields
        secrets = set(self.form.secret_fields)
        return [f"{name}_state" if name in secrets else name for name in fields]

    def changelist_view(self, request, extra_context=None):
        extra_context = {"oauth_setup_help": oauth_settings_explain(provider=self.provider),
                         "can_connect": self.has_change_permission(request),
                         **(extra_context or {})}
        return super().changelist_view(request, extra_context)

    @admin.display(description="Webhook URL")
    def webhook_url(self, obj):
        hint = {"zoom": "Paste it as the event notification endpoint URL of your Zoom app.",
                "hubspot": "Paste it as the target URL of your HubSpot app's webhooks."}
        return format_html("<code>{}</code><br>{}", webhook_url(provider=self.provider),
                           hint[self.provider])

    @admin.display(description="Connection")
    def connection(self, obj):
        return _status_badge(obj)

    @admin.display(description="Stored secrets")
    def stored_secrets(self, obj):
        states = {label: secret_state(getattr(obj, name))
                  for name, label in self.secret_labels.items()}
        unreadable = [label for label, state in states.items() if state == UNREADABLE_LABEL]
        if unreadable:
            return f"{', '.join(unreadable)}: {UNREADABLE_LABEL}"
        return ", ".join(label for label, state in states.items() if state == "set") or "none"

    @admin.action(description="Test connection", permissions=["change"])
    def test_connection(self, request, queryset):
        for obj in queryset:
            try:
                self.message_user(request, f"{obj}: {type(self).connection_test(obj)}")
            except IntegrationError as exc:
                self.message_user(request, f"{obj}: {exc.message}", messages.ERROR)


@admin.register(ZoomAccount)
class ZoomAccountAdmin(LinkedAccountAdmin):
    provider = "zoom"
    connection_test = staticmethod(lambda account: zoom_account_test(account=account))
    form = ZoomAccountForm
    secret_labels = {"client_secret": "client secret", "webhook_secret": "webhook secret",
                     "access_token": "token", "refresh_token": "refresh token"}
    list_display = ["name", "zoom_account_id", "auth_type", "connection", "stored_secrets",
                    "hubspot_portal", "last_checked_at"]
    readonly_fields = ["webhook_url", "status", "last_error", "last_checked_at",
                       "token_expires_at", "api_url"]
    actions = ["test_connection", "disconnect_oauth"]
    client_secret_state = _secret_shown("client_secret", "Client secret")
    webhook_secret_state = _secret_shown("webhook_secret", "Webhook secret")

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        if not zoom_account_add(account=obj):
            self.message_user(
                request, f"Zoom account {obj.zoom_account_id} was linked by someone else a "
                "moment ago; what you entered was saved to that account.", messages.WARNING)

    @admin.action(description="Disconnect (revoke)", permissions=["change"])
    def disconnect_oauth(self, request, queryset):
        for account in queryset:
            try:
                self.message_user(request, zoom_account_disconnect(account=account))
            except IntegrationError as exc:
                self.message_user(request, exc.message, messages.ERROR)


@admin.register(HubSpotPortal)
class HubSpotPortalAdmin(LinkedAccountAdmin):
    provider = "hubspot"
    connection_test = staticmethod(lambda portal: hubspot_portal_test(portal=portal))
    form = HubSpotPortalForm
    secret_labels = {"access_token": "token", "refresh_token": "refresh token",
                     "client_secret": "client secret"}
    list_display = ["name", "hub_id", "auth_type", "connection", "stored_secrets",
                    "last_checked_at"]
    readonly_fields = ["webhook_url", "status", "last_error", "last_checked_at",
                       "token_expires_at"]
    actions = ["test_connection"]
    access_token_state = _secret_shown("access_token", "Access token")
    client_secret_state = _secret_shown("client_secret", "Client secret")


@admin.register(SyncSettings)
class SyncSettingsAdmin(SingletonModelAdmin):
    # Only settings some code reads: a box nobody honours would make people believe a
    # feature is on. The model keeps the others until their features are built.
    fieldsets = [
        ("Webinars", {"fields": ["auto_sync_new_webinars", "host_exclusions"]}),
        ("Contacts", {"fields": ["contact_exclusion_domains", "contact_field_policy",
                                 "recreate_deleted_contacts", "match_secondary_emails"]}),
        ("Registrations from HubSpot", {"fields": ["let_hubspot_send_confirmations"]}),
    ]


# A sync run's status, as every page that shows one colours it.
RUN_COLORS = {"succeeded": "#2e7d32", "failed": "#c62828", "running": "#1565c0",
              "queued": "#6d6d6d"}


class RunKindFilter(admin.SimpleListFilter):
    title = "kind"
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        return sorted(run_kinds().items(), key=lambda item: item[1])

    def queryset(self, request, queryset):
        return queryset.filter(kind=self.value()) if self.value() else queryset


@admin.register(SyncRun)
class SyncRunAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind_name", "target", "trigger", "status_badge",
                    "progress_bar", "short_error"]
    list_filter = ["status", RunKindFilter, "trigger"]
    search_fields = ["target", "target_key", "error"]
    readonly_fields = [f.name for f in SyncRun._meta.fields]
    # the counts a person reads, just before the raw ones
    readonly_fields.insert(readonly_fields.index("counts"), "counts_summary")

    @admin.display(description="Kind", ordering="kind")
    def kind_name(self, obj):
        return obj.kind_label

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="Status")
    def status_badge(self, obj):
        return format_html('<b style="color:{}">{}</b>', RUN_COLORS.get(obj.status, "#333"),
                           obj.get_status_display())

    @admin.display(description="Progress")
    def progress_bar(self, obj):
        if not obj.total:
            return "–"
        return format_html('<progress value="{}" max="{}"></progress> {}', obj.done, obj.total,
                           obj.progress)

    @admin.display(description="Summary")
    def counts_summary(self, obj):
        return run_counts_text(run=obj) or "–"

    @admin.display(description="Error")
    def short_error(self, obj):
        return (obj.error[:140] + "…") if len(obj.error) > 140 else obj.error


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    """The delivery log: read-only for everyone (a delivery is what was received); staff who
    may change deliveries may also reprocess them."""

    list_display = ["received_at", "provider", "event_type", "account_key", "signature_valid",
                    "status_badge", "attempts", "processed_at", "short_error"]
    list_filter = ["provider", "status", "event_type", "signature_valid"]
    search_fields = ["event_type", "dedupe_key", "account_key", "error", "note"]
    date_hierarchy = "received_at"
    fields = ["provider", "event_type", "account_key", "event_ts", "received_at", "remote_ip",
              "signature_valid", "status", "attempts", "note", "error", "processed_at",
              "dedupe_key", "pretty_headers", "pretty_body"]
    readonly_fields = fields
    actions = ["reprocess"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_reprocess_permission(self, request):
        return request.user.has_perm("integrations.change_webhookdelivery")

    @admin.display(description="Status", ordering="status")
    def status_badge(self, obj):
        return format_html('<b style="color:{}">{}</b>', DELIVERY_COLORS.get(obj.status, "#333"),
                           obj.get_status_display())

    @admin.display(description="Error")
    def short_error(self, obj):
        return (obj.error[:140] + "…") if len(obj.error) > 140 else obj.error

    @admin.display(description="Headers")
    def pretty_headers(self, obj):
        return format_html("<pre>{}</pre>", json.dumps(obj.headers, indent=2, sort_keys=True))

    @admin.display(description="Body")
    def pretty_body(self, obj):
        try:
            text = json.dumps(json.loads(obj.body), indent=2, ensure_ascii=False)
        except ValueError:
            text = obj.body
        return format_html("<pre>{}</pre>", text)

    @admin.action(description="Reprocess", permissions=["reprocess"])
    def reprocess(self, request, queryset):
        counts = webhook_deliveries_reprocess(deliveries=queryset)
        summary = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
        self.message_user(request, f"Reprocessed: {summary or 'nothing to do'}.",
                          messages.ERROR if counts.get("failed") else messages.SUCCESS)


DELIVERY_COLORS = {"processed": "#2e7d32", "failed": "#c62828", "pending": "#1565c0",
                   "ignored": "#6d6d6d", "duplicate": "#6d6d6d"}
