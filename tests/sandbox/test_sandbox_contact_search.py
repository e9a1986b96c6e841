"""The sandbox's HubSpot contact search: filter groups (OR) of filters (AND), secondary
e-mails found only through `hs_additional_emails`, pages, HubSpot's limits."""

SEARCH = "/crm/v3/objects/contacts/search"
CONTACTS = [
    {"email": "kim@customer.example",
     "properties": {"firstname": "Kim", "hs_additional_emails": "k@old.example;kim@home.example"}},
    {"email": "lee@customer.example", "properties": {"firstname": "Lee"}},
]


def seed(client):
    client.seed("custom", users=[], webinars=[], hubspot={"contacts": CONTACTS})


def secondary(*emails, **extra):
    return {"filterGroups": [{"filters": [{"propertyName": "hs_additional_emails",
                                           "operator": "IN", "values": list(emails)}]}],
            "properties": ["email", "hs_additional_emails"], **extra}


def test_a_secondary_e_mail_is_found_by_search_and_not_by_e_mail(client):
    seed(client)
    response = client.hubspot("POST", SEARCH, json=secondary("KIM@home.example",
                                                             "nobody@x.example"))
    assert response.status_code == 200
    body = response.json()
    assert body["total"] == 1
    [kim] = body["results"]
    assert kim["properties"]["email"] == "kim@customer.example"
    assert kim["properties"]["hs_additional_emails"] == "k@old.example;kim@home.example"
    read = client.hubspot("POST", "/crm/v3/objects/contacts/batch/read", json={
        "idProperty": "email", "inputs": [{"id": "kim@home.example"}]})
    assert read.json()["results"] == []


def test_filter_groups_are_or_and_filters_are_and(client):
    seed(client)
    body = {"filterGroups": [
        {"filters": [{"propertyName": "firstname", "operator": "EQ", "value": "kim"},
                     {"propertyName": "email", "operator": "EQ", "value": "lee@customer.example"}]},
        {"filters": [{"propertyName": "firstname", "operator": "EQ", "value": "Lee"}]}]}
    found = client.hubspot("POST", SEARCH, json=body).json()
    assert [c["properties"]["email"] for c in found["results"]] == ["lee@customer.example"]


def test_pages_follow_after(client):
    seed(client)
    body = {"filterGroups": [{"filters": [{"propertyName": "email",
                                           "operator": "HAS_PROPERTY"}]}], "limit": 1}
    first = client.hubspot("POST", SEARCH, json=body).json()
    second = client.hubspot("POST", SEARCH, json={
        **body, "after": first["paging"]["next"]["after"]}).json()
    assert [c["properties"]["email"] for c in first["results"] + second["results"]] == [
        "kim@customer.example", "lee@customer.example"]
    assert "paging" not in second


def test_more_than_five_filter_groups_is_a_validation_error(client):
    groups = [{"filters": [{"propertyName": "email", "operator": "EQ", "value": f"{i}@x.io"}]}
              for i in range(6)]
    response = client.hubspot("POST", SEARCH, json={"filterGroups": groups})
    assert response.status_code == 400
    assert response.json()["category"] == "VALIDATION_ERROR"
