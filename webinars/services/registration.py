"""Registering a HubSpot contact into a Zoom webinar, with every question the webinar asks
answered from the contact's properties (see QuestionMapping), before Zoom is asked: a required
answer that is missing fails here, with the question's name, instead of in Zoom."""

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django_q.models import Schedule
from django_q.tasks import schedule

from contacts.services.people import email_normalise
from integrations.errors import (
    IntegrationError,
    NotConfigured,
    RateLimited,
    ServiceUnreachable,
    TransientError,
)
from integrations.models import HubSpotPortal
from integrations.services.clients import (
    hubspot_client_for,
    hubspot_portal_for,
    zoom_client_for,
)

from ..models import (
    DEFAULT_FIELD_PROPERTIES,
    STANDARD_FIELDS,
    HubSpotRegistration,
    Lifecycle,
    QuestionMapping,
    Registrant,
    Webinar,
)
from .live_push import live_changes_record
from .mirror import registrants_sync_from_zoom

logger = logging.getLogger(__name__)
WEBINAR_OVER = "3038"
Outcome = HubSpotRegistration.Outcome
CHOICE_TYPES = ("single_radio", "single_dropdown")


class RegistrationRefused(Exception):
    """Zoom will not register this person (or would refuse the request): for good."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class RegistrationDelayed(Exception):
    """Zoom is rate-limited or not answering: the same request may work later."""

    def __init__(self, reason: str, *, retry_after: float | None = None):
        super().__init__(reason)
        self.reason, self.retry_after = reason, retry_after


@dataclass(frozen=True)
class Registration:
    registrant_id: str
    join_url: str
    already: bool  # registered before: nothing was sent to Zoom


def _mappings() -> tuple[dict[str, str], dict[str, str]]:
    standard = dict(DEFAULT_FIELD_PROPERTIES)
    custom: dict[str, str] = {}
    for mapping in QuestionMapping.objects.all():
        target = standard if mapping.kind == QuestionMapping.Kind.STANDARD else custom
        target[mapping.question.strip().lower() if target is custom else mapping.question] = (
            mapping.hubspot_property.strip())
    return standard, custom


def _value(properties: dict, name: str | None) -> str:
    value = properties.get(name) if name else None
    return "" if value is None else str(value).strip()


def _choice(value: str, answers: list[str]) -> str | None:
    """The answer as Zoom spells it, or None when it is not one of the choices."""
    by_lower = {str(answer).strip().lower(): str(answer) for answer in answers}
    return by_lower.get(value.lower())


def registrant_answers_fill(*, form: dict, properties: dict) -> tuple[dict, list[str]]:
    """The registrant to send (standard fields and custom answers) from the contact's
    properties, and the required questions left unanswered (their names as Zoom shows them)."""
    standard, custom = _mappings()
    body: dict = {}
    missing: list[str] = []
    for question in form.get("questions") or []:
        field = str(question.get("field_name") or "")
        value = _value(properties, standard.get(field))
        if value:
            body[field] = value
        elif question.get("required"):
            missing.append(STANDARD_FIELDS.get(field, field))
    answers = []
    for question in form.get("custom_questions") or []:
        title = str(question.get("title") or "")
        value = _value(properties, custom.get(title.strip().lower()))
        if value and question.get("type") in CHOICE_TYPES:
            value = _choice(value, question.get("answers") or []) or ""
        elif value and question.get("type") == "multiple":
            # HubSpot keeps a multiple checkbox as "a;b"; Zoom takes "a,b" of its own choices
            picked = [_choice(part.strip(), question.get("answers") or [])
                      for part in value.split(";")]
            value = ",".join(p for p in picked if p)
        if value:
            answers.append({"title": title, "value": value})
        elif question.get("required"):
            missing.append(title)
    if answers:
        body["custom_questions"] = answers
    return body, missing


def _refused_before_asking(webinar: Webinar, email: str, first_name: str) -> str:
    if not email:
        return "The contact has no e-mail address."
    if webinar.lifecycle == Lifecycle.DELETED:
        return f"Webinar “{webinar.topic}” was deleted in Zoom."
    if webinar.registration_off:
        return f"Webinar “{webinar.topic}” takes no registration in Zoom."
    if not webinar.is_recurring and webinar.start_time and (
            webinar.start_time + timedelta(minutes=webinar.duration or 0) < timezone.now()):
        return f"Webinar “{webinar.topic}” is over: registration is closed."
    if not first_name:
        return "The contact has no first name, which Zoom requires to register someone."
    return ""


def webinar_register_contact(*, webinar: Webinar, properties: dict) -> Registration:
    """Registers the contact (HubSpot's property names → values) into the webinar, or tells
    why not: RegistrationRefused (for good) or RegistrationDelayed (try again later). Someone
    already registered gets their registration back, and Zoom is not asked again."""
    email = email_normalise(properties.get("email"))
    first_name = _value(properties, "firstname")
    reason = _refused_before_asking(webinar, email, first_name)
    if reason:
        raise RegistrationRefused(reason)
    known = webinar.registrants.filter(
        email=email, status__in=[Registrant.Status.APPROVED, Registrant.Status.PENDING]
    ).exclude(join_url="").first()
    if known is not None:
        return Registration(registrant_id=known.zoom_registrant_id, join_url=known.join_url,
                            already=True)
    try:
        client = zoom_client_for(account=webinar.zoom_account)
        form = client.registration_questions(webinar.zoom_id)
        fields, missing = registrant_answers_fill(form=form, properties=properties)
        if missing:
            raise RegistrationRefused(
                f"Webinar “{webinar.topic}” requires an answer to "
                f"{', '.join(f'“{name}”' for name in missing)}, and the contact has none "
                "(map each question to a contact property under Registration question "
                "mappings).")
        registrant = {"email": email, "first_name": first_name, **fields}
        answer = client.add_registrant(webinar.zoom_id, registrant)
    except (RateLimited, ServiceUnreachable, TransientError) as exc:
        raise RegistrationDelayed(exc.message, retry_after=getattr(exc, "retry_after", None)
                                  ) from exc
    except NotConfigured as exc:
        raise RegistrationRefused(exc.message) from exc
    except IntegrationError as exc:
        if exc.code == WEBINAR_OVER:
            raise RegistrationRefused(
                f"Webinar “{webinar.topic}” is over: registration is closed.") from exc
        raise RegistrationRefused(exc.said()) from exc
    _mirror(webinar=webinar, registrant=registrant, answer=answer)
    return Registration(registrant_id=str(answer.get("registrant_id") or ""),
                        join_url=str(answer.get("join_url") or ""), already=False)


def _mirror(*, webinar: Webinar, registrant: dict, answer: dict) -> None:
    """The new registrant in the mirror at once (the next sync confirms it), so the contact's
    register record and join link go to HubSpot with the next push."""
    approval = (webinar.settings or {}).get("approval_type", 0)
    row = {**registrant, "id": answer.get("registrant_id"), "join_url": answer.get("join_url"),
           "status": Registrant.Status.APPROVED if approval == 0 else Registrant.Status.PENDING,
           "create_time": timezone.now().isoformat()}
    mirrored = registrants_sync_from_zoom(webinar=webinar, rows=[row])
    live_changes_record(webinar=webinar, contact_ids=list(mirrored.contact_ids.values()))


# A registration Zoom could not take yet is tried again this much later (or when Zoom's
# Retry-After says), at most MAX_ATTEMPTS times before it is given up.
RETRY_AFTER_S = 60
MAX_ATTEMPTS = 10
RETRY_TASK = "webinars.tasks.complete_hubspot_registration"


def hubspot_registration_process(*, registration: HubSpotRegistration) -> HubSpotRegistration:
    """Tries the registration HubSpot asked for and records what came of it: registered
    (with the join link), failed (with the reason) or still waiting for Zoom."""
    registration.attempts += 1
    registration.retry_after = None  # (not stored) Zoom's word on when to try again
    webinar = Webinar.objects.filter(zoom_id=registration.zoom_webinar_id).first()
    registration.webinar = webinar
    try:
        if webinar is None:
            raise RegistrationRefused(
                f"Webinar {registration.zoom_webinar_id} is not among the webinars this "
                "installation knows (run a discovery, or check the id).")
        result = webinar_register_contact(webinar=webinar, properties=registration.properties)
    except RegistrationRefused as refused:
        registration.outcome, registration.reason = Outcome.FAILED, refused.reason
    except RegistrationDelayed as delayed:
        if registration.attempts >= MAX_ATTEMPTS:
            registration.outcome = Outcome.FAILED
            registration.reason = (f"Zoom did not take the registration after "
                                   f"{registration.attempts} attempts: {delayed.reason}")
        else:
            registration.outcome, registration.reason = Outcome.WAITING, delayed.reason
            registration.retry_after = delayed.retry_after
    except Exception as exc:  # a bug must leave a failed, retryable row, never a stuck one
        logger.exception("Registration %s from HubSpot failed unexpectedly", registration.pk)
        registration.outcome = Outcome.FAILED
        registration.reason = f"Unexpected error ({type(exc).__name__}); try it again."
    else:
        registration.outcome, registration.reason = Outcome.REGISTERED, ""
        registration.zoom_registrant_id = result.registrant_id
        registration.join_url = result.join_url
    registration.save()
    return registration


def action_output(registration: HubSpotRegistration) -> dict:
    """What the workflow sees: SUCCESS with the join link, FAIL_CONTINUE with the reason, or
    BLOCK while Zoom keeps it waiting (the callback completes it later)."""
    if registration.outcome == Outcome.REGISTERED:
        return {"hs_execution_state": "SUCCESS", "zoom_join_url": registration.join_url,
                "zoom_registrant_id": registration.zoom_registrant_id}
    if registration.outcome == Outcome.FAILED:
        return {"hs_execution_state": "FAIL_CONTINUE",
                "zoom_registration_error": registration.reason}
    return {"hs_execution_state": "BLOCK", "hs_expiration_duration": "P1D"}


def registration_retry_schedule(*, registration: HubSpotRegistration) -> None:
    """Tries a waiting registration again later (Zoom's Retry-After when it said one)."""
    delay = max(getattr(registration, "retry_after", None) or 0, RETRY_AFTER_S)
    transaction.on_commit(lambda: schedule(
        RETRY_TASK, registration.pk, schedule_type=Schedule.ONCE, repeats=1,
        next_run=timezone.now() + timedelta(seconds=delay),
        name=f"Register {registration.email} for webinar {registration.zoom_webinar_id} "
             f"(try {registration.attempts + 1})"[:100]))


def hubspot_registration_complete(*, registration: HubSpotRegistration) -> HubSpotRegistration:
    """The scheduled retry: tries a waiting registration again and, once it has an outcome,
    tells HubSpot's workflow (the execution it answered BLOCK) how it ended."""
    if registration.outcome == Outcome.WAITING:
        registration = hubspot_registration_process(registration=registration)
        if registration.outcome == Outcome.WAITING:
            registration_retry_schedule(registration=registration)
            return registration
    if (registration.source == HubSpotRegistration.Source.WORKFLOW
            and registration.callback_completed_at is None):
        portal = (hubspot_portal_for(account=registration.webinar.zoom_account)
                  if registration.webinar else HubSpotPortal.objects.first())
        if portal is None:
            raise NotConfigured("No HubSpot portal is linked: the workflow cannot be told.")
        hubspot_client_for(portal=portal).complete_action_callback(
            callback_id=registration.request_key, output_fields=action_output(registration))
        registration.callback_completed_at = timezone.now()
        registration.save(update_fields=["callback_completed_at", "updated_at"])
    return registration


# --- one confirmation e-mail --------------------------------------------------------------

def zoom_sends_confirmation(webinar: Webinar) -> bool:
    """Zoom e-mails each new registrant a confirmation (its settings say; both default on)."""
    settings_ = webinar.settings or {}
    return bool(settings_.get("registrants_email_notification", True)
                and settings_.get("registrants_confirmation_email", True))


def webinar_registers_from_hubspot(webinar: Webinar) -> bool:
    return (webinar.registration_rules.filter(enabled=True).exists()
            or webinar.hubspot_registrations.exists())


def webinar_zoom_confirmation_off(*, webinar: Webinar) -> None:
    """Stops Zoom's own confirmation e-mail (PATCH /webinars/{id}), so only HubSpot's goes out."""
    zoom_client_for(account=webinar.zoom_account).update_webinar_settings(
        webinar.zoom_id, {"registrants_confirmation_email": False})
    webinar.settings = {**(webinar.settings or {}), "registrants_confirmation_email": False}
    webinar.save(update_fields=["settings"])
