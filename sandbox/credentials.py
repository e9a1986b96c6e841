"""The fixed credentials the sandbox accepts (also served by ``GET /_sandbox/credentials``)."""

from __future__ import annotations

ZOOM_ACCOUNT_ID = "sandbox-zoom-account"
ZOOM_CLIENT_ID = "sandbox-zoom-client-id"
ZOOM_CLIENT_SECRET = "sandbox-zoom-client-secret-7f3a9c2e41d8"
ZOOM_WEBHOOK_SECRET = "sandbox-zoom-webhook-secret-4b8d1e6f0a93"
HUBSPOT_TOKEN = "pat-na1-5a9d1c3e-0b7f-4e2a-9c6d-8f1e2a3b4c5d"
HUBSPOT_PORTAL_ID = "424242"
HUBSPOT_APP_ID = "1001"
HUBSPOT_CLIENT_SECRET = "5d0c3b9a-1e2f-4a6b-8c7d-9e0f1a2b3c4d"
# A Zoom *user-OAuth* app (authorization-code flow), distinct from the Server-to-Server app.
ZOOM_OAUTH_CLIENT_ID = "sandbox-zoom-oauth-client-id"
ZOOM_OAUTH_CLIENT_SECRET = "sandbox-zoom-oauth-client-secret-2c9e5a7b13f4"
# The HubSpot public app's OAuth client id (its secret is HUBSPOT_CLIENT_SECRET).
HUBSPOT_CLIENT_ID = "8f2b6c1d-3a4e-4f5a-9b8c-7d6e5f4a3b2c"
# The HubSpot developer account's API key (``hapikey``), for the app's workflow action
# definitions.
HUBSPOT_DEVELOPER_API_KEY = "sandbox-hubspot-developer-key-6e1f9a2c84b7"
HUBSPOT_HUB_DOMAIN = "sandbox.hubspot.example"
HUBSPOT_USER = "admin@sandbox.example"

ZOOM_SCOPE = "user:read:admin webinar:read:admin webinar:write:admin report:read:admin"
HUBSPOT_DEFAULT_SCOPES = ["oauth", "crm.objects.contacts.read", "crm.objects.contacts.write",
                          "crm.schemas.contacts.read", "crm.schemas.contacts.write",
                          "crm.objects.marketing_events.read",
                          "crm.objects.marketing_events.write"]


def credentials() -> dict:
    return {
        "zoom": {
            "account_id": ZOOM_ACCOUNT_ID,
            "client_id": ZOOM_CLIENT_ID,
            "client_secret": ZOOM_CLIENT_SECRET,
            "webhook_secret": ZOOM_WEBHOOK_SECRET,
            "oauth_client_id": ZOOM_OAUTH_CLIENT_ID,
            "oauth_client_secret": ZOOM_OAUTH_CLIENT_SECRET,
        },
        "hubspot": {
            "token": HUBSPOT_TOKEN,
            "portal_id": HUBSPOT_PORTAL_ID,
            "app_id": HUBSPOT_APP_ID,
            "client_id": HUBSPOT_CLIENT_ID,
            "client_secret": HUBSPOT_CLIENT_SECRET,
            "developer_api_key": HUBSPOT_DEVELOPER_API_KEY,
        },
    }
