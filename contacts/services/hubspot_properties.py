"""Our own contact properties in HubSpot: the `zoomsync` group and the roll-ups (SPEC §5.2)."""

import hashlib
import json

from integrations.errors import InvalidRequest
from integrations.hubspot.client import HubSpotClient
from integrations.models import HubSpotPortal

PROPERTY_GROUP = {"name": "zoomsync", "label": "Zoom sync"}
CONTACT_PROPERTIES = [
    ("zoomsync_webinar_registrations", "Zoom webinar registrations", "number", "number"),
    ("zoomsync_webinars_attended", "Zoom webinars attended", "number", "number"),
    ("zoomsync_avg_attendance_pct", "Average Zoom webinar attendance (%)", "number", "number"),
    ("zoomsync_avg_attendance_minutes", "Average Zoom webinar attendance (minutes)", "number",
     "number"),
    ("zoomsync_last_registered_webinar", "Last registered Zoom webinar", "string", "text"),
    ("zoomsync_last_attended_webinar", "Last attended Zoom webinar", "string", "text"),
    ("zoomsync_last_join_url", "Last Zoom webinar join URL", "string", "text"),
    ("zoomsync_source", "Created by Zoom sync", "string", "text"),
]
PROPERTY_SCHEMA_HASH = hashlib.sha256(
    json.dumps([PROPERTY_GROUP, CONTACT_PROPERTIES]).encode()
).hexdigest()[:16]


def hubspot_properties_ensure(*, client: HubSpotClient, portal: HubSpotPortal,
                              force: bool = False) -> None:
    """Creates our property group and properties once per portal (and again if we add some):
    one call when they exist, three on a fresh portal."""
    if portal.properties_hash == PROPERTY_SCHEMA_HASH and not force:
        return
    existing = {p.get("name"): p for p in client.list_properties()}
    missing = [
        {"name": name, "label": label, "type": type_, "fieldType": field_type,
         "groupName": PROPERTY_GROUP["name"]}
        for name, label, type_, field_type in CONTACT_PROPERTIES if name not in existing
    ]
    if missing:
        if not any(p.get("groupName") == PROPERTY_GROUP["name"] for p in existing.values()):
            try:
                client.create_property_group(**PROPERTY_GROUP)
            except InvalidRequest as exc:
                if exc.status != 409:  # 409: the group exists (made by hand or another worker)
                    raise
        contact_properties_create(client=client, definitions=missing)
    portal.properties_hash = PROPERTY_SCHEMA_HASH
    portal.save(update_fields=["properties_hash"])


def contact_properties_create(*, client: HubSpotClient, definitions: list[dict]) -> None:
    """Creates these contact properties; another worker creating them a moment ago is fine
    (HubSpot's 409), as long as none is missing afterwards."""
    try:
        client.create_properties(definitions)
    except InvalidRequest as exc:
        names = {p.get("name") for p in client.list_properties()}
        if exc.status != 409 or any(d["name"] not in names for d in definitions):
            raise
