"""HubSpot's objects as the sandbox keeps them: contacts, marketing events and the default
contact properties of a new portal."""

from __future__ import annotations

from datetime import datetime

from ..common import iso_ms


class Contact:
    __slots__ = ("id", "properties", "created_at", "updated_at")

    def __init__(self, *, id: int, properties: dict, created_at: datetime,
                 updated_at: datetime | None = None):
        self.id = id
        self.properties = properties
        self.created_at = created_at
        self.updated_at = updated_at or created_at

    def value(self, name: str):
        if name == "hs_object_id":
            return str(self.id)
        if name == "createdate":
            return iso_ms(self.created_at)
        if name == "lastmodifieddate":
            return iso_ms(self.updated_at)
        return self.properties.get(name)


class MarketingEvent:
    __slots__ = ("object_id", "external_account_id", "external_event_id", "event_name",
                 "event_type", "event_organizer", "event_description", "event_url",
                 "start", "end", "cancelled", "completed", "custom_properties",
                 "created_at", "updated_at", "attendance", "durations")

    def __init__(self, *, object_id: str, external_account_id: str, external_event_id: str,
                 created_at: datetime):
        self.object_id = object_id
        self.external_account_id = external_account_id
        self.external_event_id = external_event_id
        self.event_name = ""
        self.event_type = None
        self.event_organizer = ""
        self.event_description = None
        self.event_url = None
        self.start = None  # datetime
        self.end = None
        self.cancelled = False
        self.completed = False
        # {name: (value, epoch ms when set)}, only properties defined on the event object
        self.custom_properties: dict[str, tuple[str, int]] = {}
        self.created_at = created_at
        self.updated_at = self.created_at
        # appended records {"email","state","interactionDateTime","joinedAt","leftAt",...}
        self.attendance: list[dict] = []
        # {contact id: attended seconds}, worked out when the event was last completed
        self.durations: dict[str, int] | None = None


class Form:
    """A HubSpot form and its submissions (kept in submission order)."""

    __slots__ = ("guid", "name", "fields", "created_at", "submissions")

    def __init__(self, *, guid: str, name: str, fields: list[str], created_at: datetime):
        self.guid = guid
        self.name = name
        self.fields = fields
        self.created_at = created_at
        # {"conversionId", "submittedAt" (epoch ms), "values": {name: value}, "pageUrl"}
        self.submissions: list[dict] = []


class WorkflowExecution:
    """One run of the app's custom workflow action for one contact.

    ``state``: ``completed`` (the action answered SUCCESS / FAIL_CONTINUE / FAIL_STOP, or a
    blocked run was completed through the callbacks API), ``blocked`` (it answered BLOCK and
    waits for its callback) or ``failed`` (no answer, or an error status)."""

    __slots__ = ("callback_id", "contact_id", "email", "input_fields", "state",
                 "output_fields", "status", "created_at", "completed_at")

    def __init__(self, *, callback_id: str, contact_id: int, email: str, input_fields: dict,
                 created_at: datetime):
        self.callback_id = callback_id
        self.contact_id = contact_id
        self.email = email
        self.input_fields = input_fields
        self.state = "pending"
        self.output_fields: dict = {}
        self.status: int | None = None
        self.created_at = created_at
        self.completed_at: datetime | None = None


def _prop(name, label, type_, field_type, *, options=None, readonly=False, form=True,
          description=""):
    return {
        "name": name,
        "label": label,
        "type": type_,
        "fieldType": field_type,
        "groupName": "contactinformation",
        "description": description,
        "options": [
            {"label": lbl, "value": val, "displayOrder": i, "hidden": False}
            for i, (lbl, val) in enumerate(options or [])
        ],
        "displayOrder": -1,
        "calculated": False,
        "externalOptions": False,
        "hasUniqueValue": False,
        "hidden": False,
        "hubspotDefined": True,
        "modificationMetadata": {"archivable": False, "readOnlyDefinition": True,
                                 "readOnlyValue": readonly},
        "formField": form and not readonly,
        "dataSensitivity": "non_sensitive",
    }


def default_properties() -> list[dict]:
    emp = ["1-5", "5-25", "25-50", "50-100", "100-500", "500-1000", "1000+"]
    stages = [("Subscriber", "subscriber"), ("Lead", "lead"),
              ("Marketing Qualified Lead", "marketingqualifiedlead"),
              ("Sales Qualified Lead", "salesqualifiedlead"), ("Opportunity", "opportunity"),
              ("Customer", "customer"), ("Evangelist", "evangelist"), ("Other", "other")]
    return [
        _prop("email", "Email", "string", "text", description="A contact's email address"),
        _prop("firstname", "First Name", "string", "text"),
        _prop("lastname", "Last Name", "string", "text"),
        _prop("hs_additional_emails", "Additional email addresses", "enumeration",
              "checkbox", readonly=True,
              description="A set of additional email addresses for a contact"),
        _prop("phone", "Phone Number", "string", "phonenumber"),
        _prop("company", "Company Name", "string", "text"),
        _prop("jobtitle", "Job Title", "string", "text"),
        _prop("address", "Street Address", "string", "text"),
        _prop("city", "City", "string", "text"),
        _prop("state", "State/Region", "string", "text"),
        _prop("zip", "Postal Code", "string", "text"),
        _prop("country", "Country/Region", "string", "text"),
        _prop("industry", "Industry", "string", "text"),
        _prop("numemployees", "Number of Employees", "enumeration", "select",
              options=[(v, v) for v in emp]),
        _prop("message", "Message", "string", "textarea"),
        _prop("hs_object_id", "Record ID", "number", "number", readonly=True),
        _prop("createdate", "Create Date", "datetime", "date", readonly=True),
        _prop("lastmodifieddate", "Last Modified Date", "datetime", "date", readonly=True),
        _prop("lifecyclestage", "Lifecycle Stage", "enumeration", "radio", options=stages),
    ]


DEFAULT_PROPERTY_NAMES = frozenset(p["name"] for p in default_properties())
READ_ONLY_PROPERTIES = frozenset({"hs_object_id", "createdate", "lastmodifieddate"})
