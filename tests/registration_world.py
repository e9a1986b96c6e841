"""An upcoming webinar whose registration asks for the organisation and one custom question,
both required, synced once; the question mapped to HubSpot's `message` property."""

from tests.scenarios import sync_one, upcoming_webinar, world
from webinars.models import QuestionMapping

WEBINAR_ID = 89876543210
APP_SECRET = "workflow-app-client-secret"
LEARN = "What would you like to learn?"


def registration_webinar_synced(sandbox, linked, *, hubspot_contacts=(), mapping=True):
    """The webinar synced; `mapping=False` leaves the question unmapped (to map it by hand)."""
    account, portal = linked
    portal.client_secret = APP_SECRET
    portal.save()
    data = upcoming_webinar(webinar_id=WEBINAR_ID)
    data["questions"] = [{"field_name": "org", "required": True},
                         {"field_name": "job_title", "required": False}]
    data["custom_questions"] = [{"title": LEARN, "type": "short", "required": True,
                                 "answers": []}]
    sandbox.seed("custom", **world(data, hubspot_contacts=hubspot_contacts))
    if mapping:
        QuestionMapping.objects.create(kind=QuestionMapping.Kind.CUSTOM, question=LEARN,
                                       hubspot_property="message")
    webinar, _ = sync_one(account, WEBINAR_ID)
    return webinar


def zoom_registrants(sandbox) -> dict[str, dict]:
    """Who Zoom has registered, as its API lists them."""
    listing = sandbox.zoom("GET", f"/webinars/{WEBINAR_ID}/registrants",
                           params={"page_size": 300}).json()
    return {r["email"]: r for r in listing["registrants"]}
