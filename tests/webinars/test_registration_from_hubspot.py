"""Registrations HubSpot asks for that cannot be answered at once (Zoom rate-limited), form →
webinar rules, and installing the workflow action in the HubSpot app."""

import time

import pytest
from django.core.management import call_command

from tests.registration_world import (
    APP_SECRET,
    LEARN,
    WEBINAR_ID,
    registration_webinar_synced,
    zoom_registrants,
)
from webinars.models import HubSpotRegistration, RegistrationRule
from webinars.services.form_rules import registration_rules_poll
from webinars.tasks import complete_hubspot_registration

pytestmark = pytest.mark.django_db(transaction=True)

DANA = {"email": "dana@prospect.example", "firstname": "Dana", "lastname": "Diaz",
        "company": "Prospect Co", "message": "Forecasting"}


def hubspot_state(sandbox) -> dict:
    return sandbox.state("hubspot")["hubspot"]


def test_zoom_rate_limited_blocks_the_workflow_then_its_callback_completes_with_success(
        sandbox, linked, live_server, settings):
    settings.PUBLIC_BASE_URL = live_server.url
    registration_webinar_synced(sandbox, linked, hubspot_contacts=[DANA])
    sandbox.faults(rate_limit_rate=1, services=["zoom"], retry_after_s=0)
    run = sandbox._post("hubspot/workflow-actions/execute", {
        "url": f"{live_server.url}/hubspot/actions/register-webinar/", "secret": APP_SECRET,
        "portalId": int(linked[1].hub_id), "contactEmail": DANA["email"],
        "properties": list(DANA), "inputFields": {"webinarId": str(WEBINAR_ID)}})
    assert run["response"]["outputFields"]["hs_execution_state"] == "BLOCK"
    waiting = HubSpotRegistration.objects.get()
    assert (waiting.outcome, waiting.callback_completed_at) == ("waiting", None)

    sandbox.faults(rate_limit_rate=0)  # Zoom answers again; the scheduled retry runs
    assert complete_hubspot_registration(waiting.pk) == "registered"

    execution = hubspot_state(sandbox)["workflow_action_executions"][0]
    registrant = zoom_registrants(sandbox)[DANA["email"]]
    assert execution["state"] == "completed"
    assert execution["outputFields"] == {
        "hs_execution_state": "SUCCESS", "zoom_join_url": registrant["join_url"],
        "zoom_registrant_id": registrant["id"]}
    assert registrant["custom_questions"] == [{"title": LEARN, "value": "Forecasting"}]
    # run again (a redelivered task): HubSpot is not told twice
    assert complete_hubspot_registration(waiting.pk) == "registered"


def submit(sandbox, guid: str, **values) -> dict:
    return sandbox._post(f"hubspot/forms/{guid}/submissions", {"values": values})


def test_a_form_rule_registers_each_submission_once_across_polls(sandbox, linked):
    webinar = registration_webinar_synced(sandbox, linked)
    form = sandbox._post("hubspot/forms", {"name": "Webinar sign-up", "fields": [
        "email", "firstname", "company", "message"]})
    # filled before the rule existed: not a request to join this webinar
    sandbox._post(f"hubspot/forms/{form['guid']}/submissions", {
        "values": {"email": "old@prospect.example", "firstname": "Olga", "company": "Old Co",
                   "message": "Pricing"},
        "submittedAt": int(time.time() * 1000) - 86_400_000})
    RegistrationRule.objects.create(form_guid=form["guid"], webinar=webinar)
    for i in range(3):
        submit(sandbox, form["guid"], email=f"p{i}@prospect.example", firstname=f"P{i}",
               company="Prospect Co", message="Pricing")
    submit(sandbox, form["guid"], email="quiet@prospect.example", firstname="Quinn",
           company="Prospect Co")  # leaves the required question unanswered

    assert registration_rules_poll() == {"failed": 1, "registered": 3}
    assert registration_rules_poll() == {}
    submit(sandbox, form["guid"], email="late@prospect.example", firstname="Lee",
           company="Prospect Co", message="Pricing")
    assert registration_rules_poll() == {"registered": 1}

    assert sorted(zoom_registrants(sandbox)) == [
        "late@prospect.example", "p0@prospect.example", "p1@prospect.example",
        "p2@prospect.example"]
    failed = HubSpotRegistration.objects.get(outcome="failed")
    assert failed.email == "quiet@prospect.example" and f"“{LEARN}”" in failed.reason
    assert HubSpotRegistration.objects.count() == 5


def test_a_failed_form_registration_can_be_tried_again_from_the_admin(
        sandbox, linked, admin_client):
    webinar = registration_webinar_synced(sandbox, linked)
    form = sandbox._post("hubspot/forms", {"name": "Sign-up", "fields": [
        "email", "firstname", "company", "message"]})
    RegistrationRule.objects.create(form_guid=form["guid"], webinar=webinar)
    submit(sandbox, form["guid"], email="quiet@prospect.example", firstname="Quinn",
           company="Prospect Co")
    registration_rules_poll()
    failed = HubSpotRegistration.objects.get()
    failed.properties = {**failed.properties, "message": "Roadmap"}  # fixed by hand
    failed.save()

    answer = admin_client.post("/admin/webinars/hubspotregistration/", {
        "action": "retry", "_selected_action": [failed.pk]}, follow=True)

    assert "Tried again: 1 registered." in answer.content.decode()
    assert "quiet@prospect.example" in zoom_registrants(sandbox)


def test_install_action_creates_the_definition_then_updates_it(
        sandbox, linked, settings, monkeypatch, capsys):
    settings.PUBLIC_BASE_URL = "https://sync.example.com"
    creds = sandbox.credentials()["hubspot"]
    monkeypatch.setenv("DEV_KEY", creds["developer_api_key"])
    args = ["hubspot_install_action", "--app-id", str(creds["app_id"]),
            "--developer-key-env", "DEV_KEY"]
    call_command(*args)
    call_command(*args)

    out = capsys.readouterr().out
    assert "Created the workflow action" in out and "Updated the workflow action" in out
    [definition] = hubspot_state(sandbox)["workflow_action_definitions"]
    assert definition["actionUrl"] == "https://sync.example.com/hubspot/actions/register-webinar/"
    assert definition["labels"]["ja"]["actionName"] == "Zoomウェビナーに登録"
    assert definition["inputFields"][0]["typeDefinition"]["optionsUrl"].endswith(
        "/hubspot/actions/register-webinar/options/")
    assert creds["developer_api_key"] not in out


def test_install_action_with_a_wrong_key_says_so(sandbox, linked, monkeypatch):
    creds = sandbox.credentials()["hubspot"]
    monkeypatch.setenv("DEV_KEY", "not-the-key")
    with pytest.raises(Exception, match="was not installed"):
        call_command("hubspot_install_action", "--app-id", str(creds["app_id"]),
                     "--developer-key-env", "DEV_KEY")
