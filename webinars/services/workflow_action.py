"""The definition of the custom workflow action "Register for Zoom webinar", as HubSpot wants
it installed (POST /automation/v4/actions/{appId}), in English and Japanese."""

from django.conf import settings
from django.urls import reverse

from integrations.hubspot.client import HubSpotClient

from ..models import DEFAULT_FIELD_PROPERTIES, QuestionMapping

OUTPUTS = {
    "zoom_join_url": ("Zoom join URL", "Zoom参加URL"),
    "zoom_registrant_id": ("Zoom registrant ID", "Zoom登録者ID"),
    "zoom_registration_error": ("Why the registration failed", "登録できなかった理由"),
}


def _requested_properties() -> list[str]:
    """What HubSpot must send with each call: the names and every mapped property."""
    names = ["email", "firstname", "lastname", *DEFAULT_FIELD_PROPERTIES.values(),
             *QuestionMapping.objects.values_list("hubspot_property", flat=True)]
    return list(dict.fromkeys(names))


def workflow_action_definition() -> dict:
    base = settings.PUBLIC_BASE_URL
    return {
        "actionUrl": base + reverse("hubspot-action-register-webinar"),
        "published": True,
        "objectTypes": ["CONTACT"],
        "objectRequestOptions": {"properties": _requested_properties()},
        "inputFields": [{
            "typeDefinition": {
                "name": "webinarId", "type": "enumeration", "fieldType": "select",
                "optionsUrl": base + reverse("hubspot-action-register-webinar-options")},
            "supportedValueTypes": ["STATIC_VALUE"], "isRequired": True}],
        "outputFields": [{"typeDefinition": {"name": name, "type": "string",
                                             "fieldType": "text"},
                          "supportedValueTypes": ["STATIC_VALUE"]} for name in OUTPUTS],
        "labels": {
            "en": {"actionName": "Register for Zoom webinar",
                   "actionDescription": "Registers the contact for the chosen Zoom webinar, "
                                        "answering its registration questions from the "
                                        "contact's properties.",
                   "actionCardContent": "Register for Zoom webinar {{webinarId}}",
                   "inputFieldLabels": {"webinarId": "Webinar"},
                   "outputFieldLabels": {name: labels[0] for name, labels in OUTPUTS.items()}},
            "ja": {"actionName": "Zoomウェビナーに登録",
                   "actionDescription": "選択したZoomウェビナーにコンタクトを登録します。"
                                        "登録時の質問にはコンタクトのプロパティから回答します。",
                   "actionCardContent": "Zoomウェビナー {{webinarId}} に登録",
                   "inputFieldLabels": {"webinarId": "ウェビナー"},
                   "outputFieldLabels": {name: labels[1] for name, labels in OUTPUTS.items()}},
        },
    }


def workflow_action_install(*, app_id: str, developer_key: str) -> tuple[str, bool]:
    """Creates the action in the app, or updates the one already there for our URL. Returns
    (its id, whether it was created)."""
    client = HubSpotClient(access_token="-")  # (these calls carry the developer key instead)
    definition = workflow_action_definition()
    existing = next((d for d in client.action_definitions(app_id=app_id,
                                                           developer_key=developer_key)
                     if d.get("actionUrl") == definition["actionUrl"]), None)
    saved = client.action_definition_save(
        app_id=app_id, developer_key=developer_key, definition=definition,
        definition_id=str(existing["id"]) if existing else "")
    return str(saved.get("id") or (existing or {}).get("id") or ""), existing is None
