"""Zoom registration answers the user mapped to HubSpot contact properties (QuestionMapping):
which properties they are, and creating the ones HubSpot does not have yet (once per set of
mapped names and portal: a mapping added later is checked at the next push)."""

import hashlib
import json

from contacts.services.hubspot_properties import PROPERTY_GROUP
from integrations.errors import InvalidRequest
from integrations.hubspot.client import HubSpotClient
from integrations.models import HubSpotPortal

from ..models import QuestionMapping


def mapped_properties() -> list[str]:
    return sorted(set(QuestionMapping.objects.values_list("hubspot_property", flat=True)))


def mapped_properties_ensure(*, client: HubSpotClient, portal: HubSpotPortal) -> list[str]:
    """Creates each mapped property HubSpot lacks, as a text property in our group (an
    existing property, of any type, is used as it is). Returns the mapped names."""
    names = mapped_properties()
    digest = hashlib.sha256(json.dumps(names).encode()).hexdigest()[:16]
    if not names or portal.mapped_properties_hash == digest:
        return names
    existing = {p.get("name") for p in client.list_properties()}
    missing = [{"name": name, "label": _label(name), "type": "string", "fieldType": "text",
                "groupName": PROPERTY_GROUP["name"]} for name in names if name not in existing]
    if missing:
        try:
            client.create_properties(missing)
        except InvalidRequest as exc:
            # created meanwhile by another worker: fine when none is missing now
            now = {p.get("name") for p in client.list_properties()}
            if exc.status != 409 or any(p["name"] not in now for p in missing):
                raise
    portal.mapped_properties_hash = digest
    portal.save(update_fields=["mapped_properties_hash"])
    return names


def _label(name: str) -> str:
    mapping = QuestionMapping.objects.filter(hubspot_property=name).first()
    return (mapping.question if mapping else name)[:100]
