"""Who becomes a HubSpot contact: every e-mail we see, minus guests and excluded domains."""

from integrations.batching import chunks
from integrations.models import SyncSettings

from ..models import Contact
from .bulk import rows_insert_new

QUERY_CHUNK = 2000


def email_is_pushable(email: str, *, excluded_domains: set[str]) -> bool:
    if not email or "@" not in email:
        return False
    domain = email.rsplit("@", 1)[1]
    return not any(domain == d or domain.endswith("." + d) for d in excluded_domains)


def contacts_ensure(*, emails: set[str], excluded_domains: set[str] | None = None
                    ) -> dict[str, int]:
    """Returns {email: contact id} for the pushable e-mails, creating missing contacts in bulk.

    Meant for one batch of e-mails at a time (a few Zoom pages): three queries per batch.
    """
    if excluded_domains is None:
        excluded_domains = SyncSettings.get_solo().excluded_domains
    wanted = sorted({e.lower() for e in emails
                     if email_is_pushable(e.lower(), excluded_domains=excluded_domains)})
    ids: dict[str, int] = {}
    for chunk in chunks(wanted, QUERY_CHUNK):
        ids.update(Contact.objects.filter(email__in=chunk).values_list("email", "id"))
    missing = [Contact(email=e) for e in wanted if e not in ids]
    if missing:
        # a concurrent sync may create the same person: the ids are read back, not assumed
        rows_insert_new(model=Contact, objs=missing)
        for chunk in chunks([c.email for c in missing], QUERY_CHUNK):
            ids.update(Contact.objects.filter(email__in=chunk).values_list("email", "id"))
    return ids
