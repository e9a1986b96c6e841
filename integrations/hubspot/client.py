"""HubSpot API client: contacts, properties, marketing events and attendance.

Batch calls send at most 100 inputs. An answer that lists failed inputs (a 207, or a 200 with
`errors` where HubSpot documents no 207) is retried for the failed inputs only, when HubSpot's
error says they may succeed later; inputs HubSpot rejects for good raise BatchErrors naming
them.

Attendance records are appended, not upserted: one sent twice is recorded twice. So they are
never resent blindly; a batch whose answer was lost raises OutcomeUnknown, and
`attendance_recorded` reads the event's participations to tell which of its records HubSpot
has.
"""

import time
from collections.abc import Callable, Iterator
from urllib.parse import quote

from django.conf import settings

from ..auth import BearerTokenApi
from ..batching import chunks
from ..errors import BatchErrors
from ..http import backoff_delay
from ..pacing import pace
from ..tokens import StaticToken, TokenSource

# Errors that retrying the same input cannot fix.
PERMANENT_CATEGORIES = frozenset({
    "VALIDATION_ERROR", "OBJECT_NOT_FOUND", "CONFLICT", "INVALID_EMAIL", "MISSING_SCOPES",
    "INVALID_AUTHENTICATION", "PROPERTY_DOESNT_EXIST",
})
PARTIAL_RETRIES = 4
# An attendance record's state as the participations breakdown names it.
PARTICIPATION_STATE = {"register": "REGISTERED", "attend": "ATTENDED", "cancel": "CANCELLED"}


def property_value(name: str, value: str, timestamp_ms: int) -> dict:
    """A marketing event's custom property as HubSpot's spec gives a PropertyValue: every field
    it requires, set to "written through the API, nothing special"."""
    return {
        "name": name, "value": value, "timestamp": timestamp_ms,
        "persistenceTimestamp": timestamp_ms, "useTimestampAsPersistenceTimestamp": True,
        "source": "API", "sourceId": "", "sourceLabel": "", "sourceMetadata": "",
        "sourceUpstreamDeployable": "", "sourceVid": [], "requestId": "",
        "dataSensitivity": "none", "isEncrypted": False, "isLargeValue": False,
        "maskedSubstrings": {"substrings": []}, "selectedByUser": False,
        "selectedByUserTimestamp": 0, "unit": "", "updatedByUserId": 0,
    }


def _error_ids(error: dict) -> list[str]:
    return [str(i) for i in (error.get("context") or {}).get("ids") or []]


class HubSpotClient(BearerTokenApi):
    service_name = "HubSpot"

    def __init__(self, *, tokens: TokenSource | None = None, access_token: str = "",
                 portal_key: str = "", base_url: str | None = None,
                 batch_size: int | None = None, rate_limit_per_10s: int | None = None, **kw):
        super().__init__(tokens=tokens or StaticToken(access_token),
                         base_url=base_url or settings.HUBSPOT_API_BASE_URL, **kw)
        self.portal_key = portal_key or "default"
        self.batch_size = min(batch_size or settings.HUBSPOT_BATCH_SIZE, 100)
        self.rate_limit_per_10s = rate_limit_per_10s

    def __repr__(self):
        return f"HubSpotClient(base_url={self.base_url!r}, portal={self.portal_key!r})"

    # --- hooks ------------------------------------------------------------------------------

    def _token_refused(self, response) -> bool:
        # We refresh ahead of expires_in; an expired token here means clocks disagree. Any
        # other 401 (a wrong or revoked token) a fresh copy of the same token cannot fix.
        try:
            return response.json().get("category") == "EXPIRED_AUTHENTICATION"
        except ValueError:
            return False

    def _gives_up(self, response) -> str:
        if response.status_code == 429:
            try:
                policy = response.json().get("policyName")
            except ValueError:
                return ""
            if policy == "DAILY":
                return ("HubSpot's daily API limit for this portal is used up; the sync "
                        "continues by itself after midnight (HubSpot's time).")
        return ""

    def _pace(self, method, path):
        limit = self.rate_limit_per_10s or settings.HUBSPOT_RATE_LIMIT_PER_10S
        self.stats["paced_s"] += pace(key=f"hubspot:{self.portal_key}", limit=limit,
                                      window_s=10)

    def _error_details(self, response):
        try:
            body = response.json()
        except ValueError:
            return response.text[:300], None
        return body.get("message", response.text[:300]), body.get("category")

    # --- generic helpers -------------------------------------------------------------------

    def paginate(self, path: str, params: dict | None = None,
                 limit: int = 100) -> Iterator[list[dict]]:
        """GET listings paged with `after` (paging.next.after) until there is no next page."""
        params = dict(params or {}, limit=limit)
        while True:
            data = self.request("GET", path, params=params)
            yield data.get("results") or []
            after = ((data.get("paging") or {}).get("next") or {}).get("after")
            if not after:
                return
            params["after"] = after

    def _batch(self, inputs: list, send: Callable[[list], dict],
               input_id: Callable[[dict], str], *, ignore: frozenset = frozenset()) -> list:
        """Sends inputs in batches; on 207 re-sends only the inputs that may still succeed."""
        results = []
        for batch in chunks(inputs, self.batch_size):
            pending = batch
            for attempt in range(PARTIAL_RETRIES + 1):
                data = send(pending)
                results.extend(data.get("results") or [])
                errors = [e for e in data.get("errors") or [] if e.get("category") not in ignore]
                if not errors:
                    break
                permanent = [e for e in errors if e.get("category") in PERMANENT_CATEGORIES]
                if permanent or attempt == PARTIAL_RETRIES:
                    bad = permanent or errors
                    said = bad[0].get("message", bad[0].get("category"))
                    raise BatchErrors(
                        f"HubSpot rejected {sum(len(_error_ids(e)) or 1 for e in bad)} "
                        f"input(s): {said}",
                        service=self.service_name, status=207, code=bad[0].get("category"),
                        detail=said or "", errors=bad, results=results,
                        failed_ids=[i for e in bad for i in _error_ids(e)],
                    )
                retry_ids = {i.lower() for e in errors for i in _error_ids(e)}
                pending = [item for item in pending if input_id(item).lower() in retry_ids]
                if not pending:
                    break
                self._sleep(backoff_delay(attempt))
        return results

    # --- account -------------------------------------------------------------------------

    def check(self) -> dict:
        """A cheap call that proves the token works."""
        return self.request("GET", "/crm/v3/properties/contacts/groups")

    # --- properties ----------------------------------------------------------------------

    # object_type: "contacts" or "marketing_events"
    def list_property_groups(self, object_type: str = "contacts") -> list[dict]:
        return self.request("GET", f"/crm/v3/properties/{object_type}/groups").get("results", [])

    def create_property_group(self, *, name: str, label: str,
                              object_type: str = "contacts") -> dict:
        return self.request("POST", f"/crm/v3/properties/{object_type}/groups",
                            json={"name": name, "label": label, "displayOrder": -1})

    def list_properties(self, object_type: str = "contacts") -> list[dict]:
        return self.request("GET", f"/crm/v3/properties/{object_type}").get("results", [])

    def create_properties(self, properties: list[dict],
                          object_type: str = "contacts") -> list[dict]:
        if not properties:
            return []
        data = self.request("POST", f"/crm/v3/properties/{object_type}/batch/create",
                            json={"inputs": properties})
        return data.get("results", [])

    # --- contacts ------------------------------------------------------------------------

    def iter_contacts(self, properties: list[str]) -> Iterator[dict]:
        """Every contact in the portal, 100 per call."""
        for page in self.paginate("/crm/v3/objects/contacts",
                                  {"properties": ",".join(properties)}):
            yield from page

    def read_contacts_by_email(self, emails: list[str], properties: list[str]) -> dict[str, dict]:
        """Returns {lower-cased e-mail: contact} for those that exist, one call per batch."""
        results = self._batch(
            [{"id": email} for email in emails],
            lambda batch: self.request("POST", "/crm/v3/objects/contacts/batch/read", json={
                "idProperty": "email", "properties": properties, "propertiesWithHistory": [],
                "inputs": batch,
            }),
            lambda item: item["id"], ignore=frozenset({"OBJECT_NOT_FOUND"}),
        )
        return {((c.get("properties") or {}).get("email") or "").lower(): c for c in results}

    def search_contacts_by_secondary_email(self, emails: list[str],
                                           properties: list[str]) -> dict[str, dict]:
        """{lower-cased address: contact} for the addresses that are another contact's
        secondary e-mail (`hs_additional_emails`): one search per 100 addresses (HubSpot's
        search has its own, lower rate limit), its pages followed."""
        found = {}
        for batch in chunks(emails, self.batch_size):
            wanted = {email.lower() for email in batch}
            body = {"filterGroups": [{"filters": [{
                        "propertyName": "hs_additional_emails", "operator": "IN",
                        "values": sorted(wanted)}]}],
                    "properties": [*properties, "hs_additional_emails"], "limit": 200}
            while True:
                data = self.request("POST", "/crm/v3/objects/contacts/search", json=body)
                for contact in data.get("results") or []:
                    extra = (contact.get("properties") or {}).get("hs_additional_emails") or ""
                    for address in extra.split(";"):
                        if address.strip().lower() in wanted:
                            found.setdefault(address.strip().lower(), contact)
                after = ((data.get("paging") or {}).get("next") or {}).get("after")
                if not after:
                    break
                body["after"] = after
        return found

    def upsert_contacts(self, inputs: list[dict]) -> list[dict]:
        """inputs: [{"email": ..., "properties": {...}}]; one call per batch of ≤100."""
        return self._batch(
            [{"id": item["email"], "idProperty": "email", "properties": item["properties"]}
             for item in inputs],
            lambda batch: self.request("POST", "/crm/v3/objects/contacts/batch/upsert",
                                       json={"inputs": batch}),
            lambda item: item["id"],
        )

    # --- marketing events ----------------------------------------------------------------

    def upsert_marketing_events(self, events: list[dict]) -> list[dict]:
        """events: HubSpot's event inputs, with `customProperties` as {name: value}."""
        now_ms = int(time.time() * 1000)
        inputs = [{**event, "customProperties": [
            property_value(name, value, now_ms)
            for name, value in (event.get("customProperties") or {}).items()]}
            for event in events]
        return self._batch(
            inputs,
            lambda batch: self.request("POST", "/marketing/v3/marketing-events/events/upsert",
                                       json={"inputs": batch}),
            lambda item: item["externalEventId"],
        )

    def record_attendance(self, *, external_event_id: str, external_account_id: str,
                          state: str, inputs: list[dict]) -> None:
        """state: register | attend | cancel. Missing contacts are created by HubSpot.

        Raises OutcomeUnknown when HubSpot may have recorded the batch without saying so;
        `attendance_recorded` then tells which of its records it has."""
        path = (f"/marketing/v3/marketing-events/attendance/"
                f"{quote(external_event_id, safe='')}/{state}/email-create")
        self._batch(
            inputs,
            lambda batch: self.request("POST", path,
                                       params={"externalAccountId": external_account_id},
                                       json={"inputs": batch}, replay_safe=False),
            lambda item: item["email"],
        )

    def iter_participations(self, *, external_account_id: str, external_event_id: str,
                            state: str | None = None) -> Iterator[dict]:
        """The event's participations breakdown, 100 per call; state: REGISTERED, ATTENDED,
        CANCELLED or NO_SHOW, or every one."""
        path = (f"/marketing/v3/marketing-events/participations/"
                f"{quote(external_account_id, safe='')}/{quote(external_event_id, safe='')}"
                f"/breakdown")
        for page in self.paginate(path, {"state": state} if state else None):
            yield from page

    def attendance_recorded(self, *, external_account_id: str, external_event_id: str,
                            state: str, people: dict[str, str]) -> set[str]:
        """Which of `people` ({e-mail: contact id}) HubSpot has a `state` record of
        (register | attend | cancel) on the event, by e-mail or contact id; returns their
        e-mails. Stops reading once every one is found."""
        wanted = PARTICIPATION_STATE[state]
        by_id = {str(cid): email for email, cid in people.items() if cid}
        found = set()
        for item in self.iter_participations(external_account_id=external_account_id,
                                             external_event_id=external_event_id,
                                             state=wanted):
            if (item.get("properties") or {}).get("attendanceState") != wanted:
                continue
            contact = (item.get("associations") or {}).get("contact") or {}
            email = (contact.get("email") or "").lower()
            if email in people:
                found.add(email)
            elif str(contact.get("contactId") or "") in by_id:
                found.add(by_id[str(contact["contactId"])])
            if len(found) == len(people):
                break
        return found

    # --- forms ---------------------------------------------------------------------------

    FORM_PAGE_SIZE = 50

    def iter_form_submissions(self, form_guid: str, *, since_ms: int | None = None
                              ) -> Iterator[dict]:
        """The form's submissions, newest first, down to those submitted at `since_ms`
        (included: submissions of the same millisecond are told apart by conversionId)."""
        params: dict = {"limit": self.FORM_PAGE_SIZE}
        path = f"/form-integrations/v1/submissions/forms/{quote(form_guid, safe='')}"
        while True:
            data = self.request("GET", path, params=params)
            for submission in data.get("results") or []:
                if since_ms is not None and int(submission.get("submittedAt") or 0) < since_ms:
                    return
                yield submission
            after = ((data.get("paging") or {}).get("next") or {}).get("after")
            if not after:
                return
            params = {**params, "after": after}

    # --- workflow action definitions (the app's developer API key, not the portal's token) --

    def action_definitions(self, *, app_id: str, developer_key: str) -> list[dict]:
        return self.request("GET", f"/automation/v4/actions/{quote(app_id, safe='')}",
                            params={"hapikey": developer_key}, authenticated=False
                            ).get("results") or []

    def action_definition_save(self, *, app_id: str, developer_key: str, definition: dict,
                               definition_id: str = "") -> dict:
        """Creates the definition, or updates the one with this id."""
        path = f"/automation/v4/actions/{quote(app_id, safe='')}"
        if definition_id:
            return self.request("PATCH", f"{path}/{quote(definition_id, safe='')}",
                                params={"hapikey": developer_key}, json=definition,
                                authenticated=False)
        return self.request("POST", path, params={"hapikey": developer_key}, json=definition,
                            authenticated=False, replay_safe=False)

    def complete_action_callback(self, *, callback_id: str, output_fields: dict) -> None:
        """Finishes a workflow action execution that was answered BLOCK."""
        self.request("POST", f"/automation/v4/actions/callbacks/{quote(callback_id, safe='')}"
                             "/complete", json={"outputFields": output_fields})

    def complete_marketing_event(self, *, external_event_id: str, external_account_id: str,
                                 start: str, end: str) -> dict:
        path = (f"/marketing/v3/marketing-events/events/"
                f"{quote(external_event_id, safe='')}/complete")
        return self.request("POST", path, params={"externalAccountId": external_account_id},
                            json={"startDateTime": start, "endDateTime": end})

    def cancel_marketing_event(self, *, external_event_id: str, external_account_id: str
                               ) -> dict:
        """Marks the event cancelled; its attendance records stay."""
        path = (f"/marketing/v3/marketing-events/events/"
                f"{quote(external_event_id, safe='')}/cancel")
        return self.request("POST", path, params={"externalAccountId": external_account_id})
