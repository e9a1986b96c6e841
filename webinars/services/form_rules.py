"""Form → webinar rules: each enabled rule's HubSpot form is read for new submissions, and each
submitter is registered for the rule's webinar once (HubSpot's conversionId is the key), with
the outcome recorded in Registrations from HubSpot."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from integrations.errors import IntegrationError
from integrations.services.clients import hubspot_client_for, hubspot_portal_for

from ..models import HubSpotRegistration, RegistrationRule
from .registration import hubspot_registration_process, registration_retry_schedule

Outcome = HubSpotRegistration.Outcome


def _properties(submission: dict) -> dict:
    """A submission's values as contact properties (a field filled twice: the last value)."""
    return {str(v.get("name")): v.get("value") for v in submission.get("values") or []
            if isinstance(v, dict) and v.get("name")}


def registration_rule_poll(*, rule: RegistrationRule) -> dict[str, int]:
    """Registers the submitters the rule has not seen yet (submitted since the rule was
    created), oldest first. Returns how many registrations ended in each outcome."""
    counts: dict[str, int] = {}
    try:
        portal = hubspot_portal_for(account=rule.webinar.zoom_account)
        # A new rule takes the submissions made since it was created: people who filled the
        # form long ago are not registered for a webinar they never asked for.
        since_ms = rule.submitted_until or int(rule.created_at.timestamp() * 1000)
        submissions = list(hubspot_client_for(portal=portal).iter_form_submissions(
            rule.form_guid, since_ms=since_ms))
    except IntegrationError as exc:
        rule.last_error, rule.last_polled_at = exc.message, timezone.now()
        rule.save(update_fields=["last_error", "last_polled_at"])
        return counts
    for submission in reversed(submissions):
        key = str(submission.get("conversionId") or "")
        if not key:
            continue
        properties = _properties(submission)
        try:
            with transaction.atomic():
                registration = HubSpotRegistration.objects.create(
                    source=HubSpotRegistration.Source.FORM, request_key=key[:100],
                    webinar=rule.webinar, zoom_webinar_id=rule.webinar.zoom_id,
                    email=str(properties.get("email") or "")[:254], properties=properties)
        except IntegrityError:
            continue  # taken by an earlier poll
        registration = hubspot_registration_process(registration=registration)
        if registration.outcome == Outcome.WAITING:
            registration_retry_schedule(registration=registration)
        counts[registration.outcome] = counts.get(registration.outcome, 0) + 1
    newest = max((int(s.get("submittedAt") or 0) for s in submissions), default=None)
    if newest is not None:
        rule.submitted_until = max(newest, rule.submitted_until or 0)
    rule.last_error, rule.last_polled_at = "", timezone.now()
    rule.save(update_fields=["submitted_until", "last_error", "last_polled_at"])
    return counts


def registration_rules_poll() -> dict[str, int]:
    """Every enabled rule, polled in turn (the schedule's task)."""
    counts: dict[str, int] = {}
    for rule in RegistrationRule.objects.filter(enabled=True).select_related(
            "webinar__zoom_account"):
        for outcome, n in registration_rule_poll(rule=rule).items():
            counts[outcome] = counts.get(outcome, 0) + n
    return counts
