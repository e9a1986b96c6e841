"""A pytest plugin for mutation runs only (`make mutation` loads it with `-p tests.mutation_focus`,
see [tool.mutmut] in pyproject.toml).

mutmut runs, for each mutant, every selected test that ran the mutated function (fastest first,
stopping at the first failure). Most tests run the HTTP client, the token source and the
contact push on their way to something else, so a mutant nothing notices would cost the whole
selection — half a minute each — and a full run would take most of an hour. Here a mutant is
tested by the tests written for its module (FOCUS below) and by the end-to-end sync tests
(END_TO_END), which check what HubSpot holds after whole syncs; the other tests that happen to
pass through it are left out. A mutant only a far-away test would notice therefore counts as
survived: the kill rate is that of each module's own tests, never more.

Runs that are not a mutant's (mutmut's own stats and clean runs, `make test`) are unchanged.
"""

import fnmatch
import os

# whole syncs through the sandbox, checking HubSpot's contacts, events and attendance
END_TO_END = [
    "tests/webinars/test_webinar_sync.py",
    "tests/webinars/test_push_batches.py",
]

# module → the test files written for it
FOCUS = {
    "contacts.services.rollups": [
        "tests/contacts/test_rollup*.py", "tests/webinars/test_rollup*.py",
        "tests/webinars/test_registration_rollups.py",
        "tests/webinars/test_unticking_keeps_counts.py",
        "tests/webinars/test_timeline_edges.py",
        "tests/webinars/test_cancellation_stays_cancelled.py",
    ],
    "contacts.services.people": [
        "tests/contacts/test_pushable_emails.py", "tests/contacts/test_who_is_pushed.py",
        "tests/webinars/test_invalid_emails.py", "tests/webinars/test_email_entry.py",
    ],
    "contacts.services.hubspot_contacts": [
        "tests/contacts/test_contact_push*.py", "tests/contacts/test_secondary_emails.py",
        "tests/contacts/test_hubspot_contact_events.py",
        "tests/webinars/test_contact_repush.py", "tests/webinars/test_contact_reads_ahead.py",
        "tests/webinars/test_contacts_created_by_sync.py", "tests/contacts/test_who_is_pushed.py",
        "tests/webinars/test_small_query_chunks.py", "tests/webinars/test_sync_at_scale.py",
        "tests/webinars/test_webinars_sharing_people_at_once.py",
        "tests/webinars/test_rollups_across_webinars.py", "tests/webinars/test_long_names.py",
        "tests/webinars/test_mapped_answers.py",
    ],
    "webinars.services.hubspot_attendance": [
        "tests/webinars/test_attendance_exactly_once.py",
        "tests/webinars/test_hubspot_attendance_figures.py",
        "tests/webinars/test_cancellation_stays_cancelled.py",
        "tests/webinars/test_late_registration.py", "tests/webinars/test_sync_progress_counts.py",
        "tests/webinars/test_sync_at_scale.py",
    ],
    "webinars.services.triggers": ["tests/webinars/test_sync_triggers*.py"],
    "integrations.http": [
        "tests/integrations/test_http_*.py", "tests/integrations/test_retry_waits.py",
        "tests/integrations/test_unrepeatable_writes.py", "tests/integrations/test_batching.py",
        "tests/integrations/test_clients.py", "tests/integrations/test_accounts.py",
        "tests/integrations/test_hubspot_traffic_contract.py",
        "tests/integrations/test_oauth_client_repr.py", "tests/integrations/test_token_*.py",
    ],
    "integrations.auth": [
        "tests/integrations/test_token_*.py", "tests/integrations/test_oauth_client_repr.py",
        "tests/integrations/test_clients.py", "tests/integrations/test_accounts.py",
        "tests/integrations/test_http_*.py",
    ],
    "integrations.services.tokens": [
        "tests/integrations/test_token_*.py", "tests/integrations/test_unreadable_secrets.py",
        "tests/integrations/test_rotate_secrets.py", "tests/integrations/test_clients.py",
        "tests/integrations/test_accounts.py",
    ],
}


def focus_for(mutant: str) -> list[str]:
    """The test files that judge a mutant ([] for a run that is not a mutant's)."""
    if "__mutmut_" not in mutant:
        return []
    module = max((m for m in FOCUS if mutant.startswith(m + ".")), key=len, default=None)
    return [*FOCUS[module], *END_TO_END] if module else []


def pytest_collection_modifyitems(session, config, items):
    patterns = focus_for(os.environ.get("MUTANT_UNDER_TEST", ""))
    if not patterns:
        return

    def focused(item) -> bool:
        path = item.nodeid.split("::", 1)[0].removeprefix("mutants/")
        return any(fnmatch.fnmatch(path, pattern) for pattern in patterns)

    # mutmut's fastest-first order is kept
    left_out = [item for item in items if not focused(item)]
    if left_out:
        items[:] = [item for item in items if focused(item)]
        config.hook.pytest_deselected(items=left_out)
