"""Zoom registration answers the user mapped to HubSpot contact properties (QuestionMapping):
which properties they are, and creating the ones HubSpot does not have yet (once per set of
mapped names and portal: a mapping added later is checked at the next push)."""

import hashlib
import json
from collections.abc import Callable

from contacts.services.hubspot_properties import PROPERTY_GROUP, contact_properties_create
from integrations.hubspot.client import HubSpotClient
from integrations.models import HubSpotPortal

from ..models import QuestionMapping


def mapped_properties() -> list[str]:
    return sorted(set(QuestionMapping.objects.values_list("hubspot_property", flat=True)))


# Zoom's custom question type → HubSpot's property type and field type
CHOICE_FIELDS = {"single_radio": "radio", "single_dropdown": "select", "multiple": "checkbox"}


def _definition(name: str, form: dict) -> dict:
    """A property for the answers of the question mapped to `name`: a dropdown, radio buttons
    or checkboxes with the question's choices, else text."""
    definition = {"name": name, "label": _label(name), "type": "string", "fieldType": "text",
                  "groupName": PROPERTY_GROUP["name"]}
    titles = set(QuestionMapping.objects.filter(
        hubspot_property=name, kind=QuestionMapping.Kind.CUSTOM).values_list("question",
                                                                            flat=True))
    titles = {t.strip().lower() for t in titles}
    for question in form.get("custom_questions") or []:
        field_type = CHOICE_FIELDS.get(question.get("type"))
        if str(question.get("title") or "").strip().lower() in titles and field_type and \
                question.get("answers"):
            definition.update(type="enumeration", fieldType=field_type, options=[
                {"label": str(a), "value": str(a), "displayOrder": i}
                for i, a in enumerate(question["answers"])])
    return definition


def mapped_question_types_note(*, form: dict) -> None:
    """Remembers each mapped custom question's type from a webinar's registration form (a
    multiple-answer question's answers go to HubSpot's checkboxes as "a;b")."""
    for question in form.get("custom_questions") or []:
        QuestionMapping.objects.filter(
            kind=QuestionMapping.Kind.CUSTOM,
            question__iexact=str(question.get("title") or "").strip(),
        ).exclude(question_type=question.get("type") or "").update(
            question_type=question.get("type") or "")


def mapped_properties_ensure(*, client: HubSpotClient, portal: HubSpotPortal,
                             questions: Callable[[], dict] | None = None) -> list[str]:
    """Creates each mapped property HubSpot lacks in our group, typed after the question it
    answers (`questions()`: a webinar's registration form, read only when one is missing or a
    mapped question's type is still unknown);
    an existing property, of any type, is used as it is. Returns the mapped names."""
    names = mapped_properties()
    form: dict | None = None

    def form_read() -> dict:  # the webinar's form, read at most once
        nonlocal form
        if form is None:
            form = questions() if questions else {}
            mapped_question_types_note(form=form)
        return form

    if questions and QuestionMapping.objects.filter(kind=QuestionMapping.Kind.CUSTOM,
                                                    question_type="").exists():
        form_read()
    digest = hashlib.sha256(json.dumps(names).encode()).hexdigest()[:16]
    if not names or portal.mapped_properties_hash == digest:
        return names
    existing = {p.get("name") for p in client.list_properties()}
    missing = [name for name in names if name not in existing]
    if missing:
        contact_properties_create(client=client, definitions=[
            _definition(name, form_read()) for name in missing])
    portal.mapped_properties_hash = digest
    portal.save(update_fields=["mapped_properties_hash"])
    return names


def _label(name: str) -> str:
    mapping = QuestionMapping.objects.filter(hubspot_property=name).first()
    return (mapping.question if mapping else name)[:100]
