"""Who becomes a HubSpot contact: every valid e-mail we see, minus excluded domains.

This module is the one place that decides whether an address is a valid e-mail. Sources call
`people_identify` once per batch of people as they enter their mirror and store its verdict,
so nothing downstream checks an address again.
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator

from integrations.batching import chunks
from integrations.models import SyncSettings

from ..models import Contact
from .bulk import rows_insert_new

QUERY_CHUNK = 2000
# The longest address that can be delivered to (RFC 5321's path limit) and that our contacts
# table holds.
EMAIL_MAX_LENGTH = 254
# Django's rules, without its "localhost" exception: nobody's lead lives there.
_email_validator = EmailValidator(allowlist=[])


def email_normalise(value) -> str:
    """An address as we store and compare it: trimmed and lower-cased ("" when absent)."""
    return value.strip().lower() if isinstance(value, str) else ""


def email_problem(email: str) -> str:
    """Why this normalised address cannot be a contact's e-mail, or "" when it can."""
    if not email:
        return "no e-mail address"
    if len(email) > EMAIL_MAX_LENGTH:
        return f"longer than {EMAIL_MAX_LENGTH} characters"
    try:
        _email_validator(email)
    except ValidationError:
        return "not a valid e-mail address"
    return ""


def email_is_excluded(email: str, *, excluded_domains: set[str]) -> bool:
    """The domain after the last @ is one of the excluded domains or a subdomain of one."""
    domain = email.rpartition("@")[2]
    return any(domain == d or domain.endswith("." + d) for d in excluded_domains)


@dataclass
class People:
    """What one batch of addresses turned out to be."""

    contact_ids: dict[str, int] = field(default_factory=dict)  # pushable address → contact
    problems: dict[str, str] = field(default_factory=dict)  # invalid address → why


def people_identify(*, emails: set[str], leads: set[str] | None = None,
                    excluded_domains: set[str] | None = None) -> People:
    """Checks each normalised address once and returns the invalid ones with the reason, and
    the contact of each valid one among `leads` (default: all) outside the excluded domains,
    creating missing contacts in bulk. "" (no address) is neither.

    Meant for one batch of addresses at a time (a few Zoom pages): three queries per batch.
    """
    if excluded_domains is None:
        excluded_domains = SyncSettings.get_solo().excluded_domains
    people = People()
    wanted = []
    for email in sorted(emails - {""}):
        problem = email_problem(email)
        if problem:
            people.problems[email] = problem
        elif (leads is None or email in leads) and not email_is_excluded(
                email, excluded_domains=excluded_domains):
            wanted.append(email)
    ids = people.contact_ids
    for chunk in chunks(wanted, QUERY_CHUNK):
        ids.update(Contact.objects.filter(email__in=chunk).values_list("email", "id"))
    missing = [Contact(email=e) for e in wanted if e not in ids]
    if missing:
        # a concurrent sync may create the same person: the ids are read back, not assumed
        rows_insert_new(model=Contact, objs=missing)
        for chunk in chunks([c.email for c in missing], QUERY_CHUNK):
            ids.update(Contact.objects.filter(email__in=chunk).values_list("email", "id"))
    return people
