"""A marketer in a real browser: map a webinar question, point a HubSpot form at the webinar,
read the form, and the submitter is registered in Zoom."""

import pytest
from django.contrib.auth import get_user_model

from tests.registration_world import (
    LEARN,
    WEBINAR_ID,
    registration_webinar_synced,
    zoom_registrants,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DANA = {"email": "dana@prospect.example", "firstname": "Dana", "company": "Prospect Co",
        "message": "Forecasting"}


def test_map_a_question_add_a_form_rule_and_read_the_form(page, live_server, sandbox, linked):
    registration_webinar_synced(sandbox, linked, mapping=False)
    form = sandbox._post("hubspot/forms", {"name": "Webinar sign-up", "fields": [
        "email", "firstname", "company", "message"]})
    get_user_model().objects.create_superuser("marketer", "m@example.com", "s3cret-pass!")

    page.goto(f"{live_server.url}/admin/")
    page.fill("#id_username", "marketer")
    page.fill("#id_password", "s3cret-pass!")
    page.click("input[type=submit]")

    # The webinar's custom question, answered from the contact's `message` property.
    page.goto(f"{live_server.url}/admin/webinars/questionmapping/add/")
    page.select_option("#id_kind", label="Custom question")
    page.fill("#id_question", LEARN)
    page.fill("#id_hubspot_property", "message")
    page.click("input[name=_save]")
    page.wait_for_selector("ul.messagelist")
    assert "was added successfully" in page.locator("ul.messagelist").inner_text()
    row = page.locator("#result_list tr", has_text=LEARN)
    assert "Custom question" in row.inner_text()

    # The form → webinar rule, the webinar picked by typing in the autocomplete box.
    page.goto(f"{live_server.url}/admin/webinars/registrationrule/add/")
    page.fill("#id_form_guid", form["guid"])
    page.fill("#id_form_name", "Webinar sign-up")
    page.click(".field-webinar .select2-selection")
    page.fill(".select2-container--open .select2-search__field", "Roadmap")
    page.locator(".select2-results__option", has_text=str(WEBINAR_ID)).click()
    assert str(WEBINAR_ID) in page.locator(".field-webinar .select2-selection").inner_text()
    page.click("input[name=_save]")
    page.wait_for_selector("ul.messagelist")
    assert "was added successfully" in page.locator("ul.messagelist").inner_text()

    # Someone fills in the form in HubSpot.
    sandbox._post(f"hubspot/forms/{form['guid']}/submissions", {"values": DANA})

    # The rules list: tick the rule, run the action.
    row = page.locator("#result_list tr", has_text="Webinar sign-up")
    row.locator("input[name=_selected_action]").check()
    page.select_option("select[name=action]", label="Read the forms for new submissions now")
    page.click("button[name=index]")
    page.wait_for_selector("ul.messagelist")
    assert "Forms read: 1 registered." in page.locator("ul.messagelist").inner_text()

    registrant = zoom_registrants(sandbox)[DANA["email"]]
    assert registrant["custom_questions"] == [{"title": LEARN, "value": "Forecasting"}]
    assert registrant["org"] == "Prospect Co"

    page.click("a[href='/admin/webinars/hubspotregistration/']")
    row = page.locator("#result_list tr", has_text=DANA["email"])
    assert "Registered" in row.inner_text()
    assert "Form rule" in row.inner_text()
