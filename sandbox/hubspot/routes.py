"""HubSpot's routes: (method, template, handler, needs a bearer token).

The sandbox keeps no per-route rate-limit category for HubSpot: every call with a bearer token
counts against its app's ten-second window and the portal's daily limit (``limits.py``)."""

from __future__ import annotations

from .attendance import attendance_email_create
from .contact_changes import delete_contact, merge_contacts, update_contact
from .contacts import contacts_batch_read, contacts_batch_upsert, list_contacts
from .events import cancel_event, complete_event, get_event, put_event, upsert_events
from .forms import form_submissions
from .oauth import (
    access_token_info,
    oauth_authorize,
    oauth_token,
    refresh_token_delete,
    refresh_token_info,
)
from .participations import participations_breakdown
from .properties import (
    batch_create_properties,
    create_group,
    create_property,
    get_property,
    list_groups,
    list_properties,
)
from .search import search_contacts
from .workflow_actions import (
    complete_callback,
    complete_callbacks,
    create_definition,
    list_definitions,
    update_definition,
)

_EV = "/marketing/v3/marketing-events"
_ACT = "/automation/v4/actions"


# (method, template, handler, needs bearer token)
ROUTES = [
    ("GET", "/oauth/authorize", oauth_authorize, False),
    ("POST", "/oauth/v1/token", oauth_token, False),
    ("GET", "/oauth/v1/access-tokens/{token}", access_token_info, False),
    ("GET", "/oauth/v1/refresh-tokens/{token}", refresh_token_info, False),
    ("DELETE", "/oauth/v1/refresh-tokens/{token}", refresh_token_delete, False),
    ("GET", "/crm/v3/properties/contacts/groups", list_groups, True),
    ("POST", "/crm/v3/properties/contacts/groups", create_group, True),
    ("GET", "/crm/v3/properties/contacts", list_properties, True),
    ("POST", "/crm/v3/properties/contacts", create_property, True),
    ("POST", "/crm/v3/properties/contacts/batch/create", batch_create_properties, True),
    ("GET", "/crm/v3/properties/contacts/{propertyName}", get_property, True),
    ("GET", "/crm/v3/properties/marketing_events/groups", list_groups, True),
    ("POST", "/crm/v3/properties/marketing_events/groups", create_group, True),
    ("GET", "/crm/v3/properties/marketing_events", list_properties, True),
    ("POST", "/crm/v3/properties/marketing_events", create_property, True),
    ("POST", "/crm/v3/properties/marketing_events/batch/create", batch_create_properties, True),
    ("GET", "/crm/v3/properties/marketing_events/{propertyName}", get_property, True),
    ("GET", "/crm/v3/objects/contacts", list_contacts, True),
    ("POST", "/crm/v3/objects/contacts/batch/read", contacts_batch_read, True),
    ("POST", "/crm/v3/objects/contacts/batch/upsert", contacts_batch_upsert, True),
    ("POST", "/crm/v3/objects/contacts/search", search_contacts, True),
    ("POST", "/crm/v3/objects/contacts/merge", merge_contacts, True),
    ("PATCH", "/crm/v3/objects/contacts/{contactId}", update_contact, True),
    ("DELETE", "/crm/v3/objects/contacts/{contactId}", delete_contact, True),
    ("POST", _EV + "/events/upsert", upsert_events, True),
    ("PUT", _EV + "/events/{externalEventId}", put_event, True),
    ("GET", _EV + "/events/{externalEventId}", get_event, True),
    ("POST", _EV + "/events/{externalEventId}/complete", complete_event, True),
    ("POST", _EV + "/events/{externalEventId}/cancel", cancel_event, True),
    ("POST", _EV + "/attendance/{externalEventId}/{subscriberState}/email-create",
     attendance_email_create, True),
    ("GET", _EV + "/participations/{externalAccountId}/{externalEventId}/breakdown",
     participations_breakdown, True),
    ("GET", "/form-integrations/v1/submissions/forms/{formGuid}", form_submissions, True),
    # the callbacks before "{appId}/{definitionId}", which has as many segments
    ("POST", _ACT + "/callbacks/complete", complete_callbacks, True),
    ("POST", _ACT + "/callbacks/{callbackId}/complete", complete_callback, True),
    # a developer account's hapikey, checked by the handlers (not a portal's bearer token)
    ("POST", _ACT + "/{appId}", create_definition, False),
    ("GET", _ACT + "/{appId}", list_definitions, False),
    ("PATCH", _ACT + "/{appId}/{definitionId}", update_definition, False),
]
