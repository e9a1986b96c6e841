"""HubSpot's side of the sandbox as a test compares it: two runs that should end alike must
give equal `end_state`s, and `repeated_records` lists what was recorded more than once."""

from collections import Counter

# Set by HubSpot itself, different in every run.
VOLATILE = {"hs_object_id", "createdate", "lastmodifieddate"}
RECORD = ("hubspot POST /marketing/v3/marketing-events/attendance/{externalEventId}/"
          "{subscriberState}/email-create")
BREAKDOWN = ("hubspot GET /marketing/v3/marketing-events/participations/{externalAccountId}/"
             "{externalEventId}/breakdown")
COMPLETE = "hubspot POST /marketing/v3/marketing-events/events/{externalEventId}/complete"


def attendance_records(sandbox) -> Counter:
    """(event, e-mail, state) → how many records HubSpot holds."""
    return Counter((event["externalEventId"], a["email"], a["state"])
                   for event in sandbox.state("hubspot")["hubspot"]["marketing_events"]
                   for a in event["attendance"])


def repeated_records(sandbox) -> dict:
    return {key: n for key, n in attendance_records(sandbox).items() if n > 1}


def end_state(sandbox) -> dict:
    """Contacts with their properties, events with their details, and every attendance
    record (duplicates included), without what HubSpot sets differently in each run."""
    state = sandbox.state("hubspot")["hubspot"]
    contacts = {c["properties"]["email"]: {k: v for k, v in c["properties"].items()
                                           if k not in VOLATILE}
                for c in state["contacts"]}
    events = {}
    for event in state["marketing_events"]:
        details = {k: v for k, v in event.items() if k not in ("objectId", "attendance")}
        records = Counter((a["email"], a["state"], a["joinedAt"], a["leftAt"],
                           a["interactionDateTime"]) for a in event["attendance"])
        events[event["externalEventId"]] = (details, sorted(records.items()))
    return {"contacts": contacts, "events": events,
            "properties": (state["properties"], state["marketing_event_properties"])}


def start_over(sandbox) -> None:
    """Forgets everything the product and HubSpot know (the linked accounts stay), so the
    same world can be synced again from scratch."""
    from contacts.models import Contact
    from integrations.models import HubSpotPortal, SyncRun
    from webinars.models import Webinar

    Webinar.objects.all().delete()
    Contact.objects.all().delete()
    SyncRun.objects.all().delete()
    HubSpotPortal.objects.update(properties_hash="", event_properties_hash="")
    sandbox.reset()
