"""HubSpot's custom workflow action "Register for Zoom webinar": the action's URL, and the URL
that lists upcoming webinars for its dropdown. Both are signed by HubSpot with the linked app's
client secret (v3 when its headers are there, else v2)."""

from django.db import IntegrityError, transaction
from django.http import JsonResponse
from django.utils import timezone

from integrations.webhooks.hubspot import hubspot_request_verify, portal_id_of
from integrations.webhooks.requests import Refused, body_read, json_read, webhook_view

from .models import HubSpotRegistration, Lifecycle, Webinar
from .services.registration import (
    action_output,
    hubspot_registration_process,
    registration_retry_schedule,
)

Outcome = HubSpotRegistration.Outcome
OPTIONS_LIMIT = 100


def _signed_json(request) -> dict:
    body = body_read(request)
    data = json_read(body)
    if not isinstance(data, dict):
        raise Refused(400, "The body is not a JSON object.")
    origin = data.get("origin") if isinstance(data.get("origin"), dict) else {}
    portal_id = portal_id_of(origin.get("portalId", data.get("portalId")))
    hubspot_request_verify(request, body=body, portal_ids={portal_id}, default_version="v2")
    return data


@webhook_view
def register_webinar_action(request):
    data = _signed_json(request)
    callback_id = data.get("callbackId")
    if not isinstance(callback_id, str | int) or not str(callback_id).strip():
        raise Refused(400, "The call carries no callbackId.")
    obj = data.get("object") if isinstance(data.get("object"), dict) else {}
    properties = obj.get("properties") if isinstance(obj.get("properties"), dict) else {}
    inputs = data.get("inputFields") if isinstance(data.get("inputFields"), dict) else {}
    webinar_id = str(inputs.get("webinarId") or "").strip()
    if not webinar_id:
        raise Refused(400, "The action's input field webinarId is empty.")
    try:
        with transaction.atomic():
            registration, created = HubSpotRegistration.objects.get_or_create(
                source=HubSpotRegistration.Source.WORKFLOW, request_key=str(callback_id)[:100],
                defaults={"zoom_webinar_id": webinar_id[:32],
                          "email": str(properties.get("email") or "")[:254],
                          "properties": properties})
    except IntegrityError:  # the same call, twice at once: the first one answers it
        registration = HubSpotRegistration.objects.get(
            source=HubSpotRegistration.Source.WORKFLOW, request_key=str(callback_id)[:100])
        created = False
    if created:
        registration = hubspot_registration_process(registration=registration)
        if registration.outcome == Outcome.WAITING:
            registration_retry_schedule(registration=registration)
        else:
            registration.callback_completed_at = timezone.now()
            registration.save(update_fields=["callback_completed_at", "updated_at"])
    return JsonResponse({"outputFields": action_output(registration)})


@webhook_view
def register_webinar_options(request):
    """The dropdown of the action's webinarId: upcoming webinars that take registration,
    soonest first, filtered by what the user types."""
    data = _signed_json(request)
    fetch = data.get("fetchOptions") if isinstance(data.get("fetchOptions"), dict) else {}
    query = str(fetch.get("q") or "").strip()
    webinars = Webinar.objects.filter(start_time__gt=timezone.now()).exclude(
        lifecycle=Lifecycle.DELETED).order_by("start_time")
    if query:
        webinars = webinars.filter(topic__icontains=query)
    options = [{"label": w.topic, "value": w.zoom_id,
                "description": f"{timezone.localtime(w.start_time):%Y-%m-%d %H:%M %Z} · "
                               f"{w.zoom_id}"}
               for w in webinars[:OPTIONS_LIMIT * 2] if not w.registration_off][:OPTIONS_LIMIT]
    return JsonResponse({"options": options, "searchable": True})
