"""Registration answers reach HubSpot through the user's question mappings: a custom question's
answer lands in the mapped contact property (created in our group when HubSpot lacks it), and
"only fill empty fields" keeps a value HubSpot already has."""

import pytest

from integrations.models import SyncSettings
from integrations.services.clients import hubspot_client_for
from tests.scenarios import sync_one, upcoming_webinar, world
from webinars.models import QuestionMapping

pytestmark = pytest.mark.django_db(transaction=True)

WEBINAR_ID = 89876543210
LEARN = "What would you like to learn?"
SIZE = "How large is your team?"


@pytest.fixture
def answers_world(sandbox):
    data = upcoming_webinar(webinar_id=WEBINAR_ID, registrants=[
        {"email": "ann@prospect.example", "first_name": "Ann", "no_of_employees": "51-100",
         "custom_questions": [{"title": LEARN, "value": "Forecasting"},
                              {"title": SIZE, "value": "12"}]},
        {"email": "bob@prospect.example", "first_name": "Bob",
         "custom_questions": [{"title": LEARN, "value": "Pricing"}]},
    ])
    sandbox.seed("custom", **world(data, hubspot_contacts=[
        {"email": "bob@prospect.example", "message": "Keep my note"}]))


def test_mapped_answers_land_in_contact_properties_created_when_missing(
        sandbox, linked, answers_world):
    QuestionMapping.objects.create(kind="custom", question=LEARN, hubspot_property="message")
    QuestionMapping.objects.create(kind="custom", question=SIZE,
                                   hubspot_property="zoom_team_size")
    QuestionMapping.objects.create(kind="standard", question="no_of_employees",
                                   hubspot_property="numemployees_text")
    sync_one(linked[0], WEBINAR_ID)

    contacts = sandbox.hubspot_contacts()
    assert contacts["ann@prospect.example"]["message"] == "Forecasting"
    assert contacts["ann@prospect.example"]["zoom_team_size"] == "12"
    assert contacts["ann@prospect.example"]["numemployees_text"] == "51-100"
    # Bob's note was there first: only empty fields are filled
    assert contacts["bob@prospect.example"]["message"] == "Keep my note"
    created = set(sandbox.state("hubspot")["hubspot"]["properties"])  # beyond HubSpot's own
    assert {"zoom_team_size", "numemployees_text"} <= created


def test_with_overwrite_the_answer_replaces_hubspots_value(sandbox, linked, answers_world):
    settings = SyncSettings.get_solo()
    settings.contact_field_policy = SyncSettings.FieldPolicy.OVERWRITE
    settings.save()
    QuestionMapping.objects.create(kind="custom", question=LEARN, hubspot_property="message")
    sync_one(linked[0], WEBINAR_ID)
    assert sandbox.hubspot_contacts()["bob@prospect.example"]["message"] == "Pricing"


def test_no_mapping_writes_no_answer(sandbox, linked, answers_world):
    sync_one(linked[0], WEBINAR_ID)
    assert "message" not in sandbox.hubspot_contacts()["ann@prospect.example"]


def test_a_choice_question_gets_a_property_with_its_choices(sandbox, linked):
    topics = ["Forecasting", "Pricing", "Hiring"]
    data = upcoming_webinar(webinar_id=WEBINAR_ID, registrants=[
        {"email": "ann@prospect.example", "first_name": "Ann",
         "custom_questions": [{"title": "Role", "value": "Buyer"},
                              {"title": "Topics", "value": "Forecasting,Hiring"}]}])
    data["custom_questions"] = [
        {"title": "Role", "type": "single_dropdown", "required": False,
         "answers": ["Buyer", "User"]},
        {"title": "Topics", "type": "multiple", "required": False, "answers": topics}]
    sandbox.seed("custom", **world(data))
    QuestionMapping.objects.create(kind="custom", question="Role", hubspot_property="zoom_role")
    QuestionMapping.objects.create(kind="custom", question="Topics",
                                   hubspot_property="zoom_topics")
    account, portal = linked
    sync_one(account, WEBINAR_ID)

    hubspot = hubspot_client_for(portal=portal)
    role = hubspot.request("GET", "/crm/v3/properties/contacts/zoom_role")
    picked = hubspot.request("GET", "/crm/v3/properties/contacts/zoom_topics")
    assert (role["type"], role["fieldType"]) == ("enumeration", "select")
    assert [o["value"] for o in role["options"]] == ["Buyer", "User"]
    assert (picked["fieldType"], [o["value"] for o in picked["options"]]) == ("checkbox", topics)
    contact = sandbox.hubspot_contacts()["ann@prospect.example"]
    assert (contact["zoom_role"], contact["zoom_topics"]) == ("Buyer", "Forecasting;Hiring")
