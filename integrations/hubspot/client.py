"""HubSpot API client: contacts, contact properties, marketing events and attendance."""

from collections.abc import Iterable
from urllib.parse import quote

from django.conf import settings

from ..errors import InvalidRequest, NotFound
from ..http import JsonApi


def chunks(items: list, size: int) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


class BatchErrors(InvalidRequest):
    """Some inputs of a batch call failed (HTTP 207); `errors` lists HubSpot's error objects."""

    def __init__(self, message, *, errors, results, **kw):
        super().__init__(message, **kw)
        self.errors = errors
        self.results = results


class HubSpotClient(JsonApi):
    service_name = "HubSpot"

    def __init__(self, *, access_token: str, base_url: str | None = None,
                 batch_size: int | None = None, **kw):
        super().__init__(base_url=base_url or settings.HUBSPOT_API_BASE_URL, **kw)
        self._access_token = access_token
        self.batch_size = min(batch_size or settings.HUBSPOT_BATCH_SIZE, 100)

    def __repr__(self):
        return f"HubSpotClient(base_url={self.base_url!r})"

    def _auth_headers(self):
        return {"Authorization": f"Bearer {self._access_token}"}

    def _error_details(self, response):
        try:
            body = response.json()
        except ValueError:
            return response.text[:300], None
        return body.get("message", response.text[:300]), body.get("category")

    # --- account -------------------------------------------------------------------------

    def check(self) -> dict:
        """A cheap call that proves the token works."""
        return self.request("GET", "/crm/v3/properties/contacts/groups")

    # --- properties ----------------------------------------------------------------------

    def list_property_groups(self) -> list[dict]:
        return self.request("GET", "/crm/v3/properties/contacts/groups").get("results", [])

    def create_property_group(self, *, name: str, label: str) -> dict:
        return self.request("POST", "/crm/v3/properties/contacts/groups",
                            json={"name": name, "label": label, "displayOrder": -1})

    def list_properties(self) -> list[dict]:
        return self.request("GET", "/crm/v3/properties/contacts").get("results", [])

    def create_properties(self, properties: list[dict]) -> list[dict]:
        if not properties:
            return []
        data = self.request("POST", "/crm/v3/properties/contacts/batch/create",
                            json={"inputs": properties})
        return data.get("results", [])

    # --- contacts ------------------------------------------------------------------------

    def read_contacts_by_email(self, emails: list[str], properties: list[str]) -> dict[str, dict]:
        """Returns {lower-cased e-mail: contact} for those that exist, one call per batch."""
        found = {}
        for batch in chunks(emails, self.batch_size):
            data = self.request("POST", "/crm/v3/objects/contacts/batch/read", json={
                "idProperty": "email",
                "properties": properties,
                "inputs": [{"id": email} for email in batch],
            })
            unexpected = [e for e in data.get("errors", [])
                          if e.get("category") != "OBJECT_NOT_FOUND"]
            if unexpected:
                raise BatchErrors(
                    f"HubSpot could not read some contacts: {unexpected[0].get('message')}",
                    errors=unexpected, results=data.get("results", []),
                )
            for contact in data.get("results", []):
                email = (contact.get("properties") or {}).get("email") or ""
                found[email.lower()] = contact
        return found

    def upsert_contacts(self, inputs: list[dict]) -> list[dict]:
        """inputs: [{"email": ..., "properties": {...}}]; one call per batch of ≤100."""
        results = []
        for batch in chunks(inputs, self.batch_size):
            data = self.request("POST", "/crm/v3/objects/contacts/batch/upsert", json={
                "inputs": [
                    {"id": item["email"], "idProperty": "email", "properties": item["properties"]}
                    for item in batch
                ],
            })
            if data.get("errors"):
                raise BatchErrors(
                    f"HubSpot rejected {len(data['errors'])} contact(s): "
                    f"{data['errors'][0].get('message')}",
                    errors=data["errors"], results=data.get("results", []),
                )
            results.extend(data.get("results", []))
        return results

    # --- marketing events ----------------------------------------------------------------

    def upsert_marketing_events(self, events: list[dict]) -> list[dict]:
        results = []
        for batch in chunks(events, self.batch_size):
            data = self.request("POST", "/marketing/v3/marketing-events/events/upsert",
                                json={"inputs": batch})
            results.extend(data.get("results", []))
        return results

    def record_attendance(self, *, external_event_id: str, external_account_id: str,
                          state: str, inputs: list[dict]) -> None:
        """state: register | attend | cancel. Missing contacts are created by HubSpot."""
        path = (f"/marketing/v3/marketing-events/attendance/"
                f"{quote(external_event_id, safe='')}/{state}/email-create")
        for batch in chunks(inputs, self.batch_size):
            self.request("POST", path, params={"externalAccountId": external_account_id},
                         json={"inputs": batch})

    def complete_marketing_event(self, *, external_event_id: str, external_account_id: str,
                                 start: str, end: str) -> dict:
        path = (f"/marketing/v3/marketing-events/events/"
                f"{quote(external_event_id, safe='')}/complete")
        return self.request("POST", path, params={"externalAccountId": external_account_id},
                            json={"startDateTime": start, "endDateTime": end})

    def get_marketing_event(self, *, external_event_id: str, external_account_id: str):
        try:
            return self.request(
                "GET", f"/marketing/v3/marketing-events/events/{quote(external_event_id, safe='')}",
                params={"externalAccountId": external_account_id},
            )
        except NotFound:
            return None
