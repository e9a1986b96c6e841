"""What HubSpot tells us about contacts it changed (its contact webhooks), applied to the
mirror: a deleted contact is forgotten, a merge repoints our contacts at the merged record,
a changed e-mail is followed.

Each change clears the contact's pushed digest where the next push must go out in full (a
merged record holds only some of our roll-ups), and never writes to HubSpot itself: the next
sync or live push does, by e-mail as always.
"""

from datetime import datetime

from django.db import IntegrityError, transaction

from ..models import Contact
from .people import email_normalise, email_problem


def contact_hubspot_deleted(*, hubspot_id: str, when: datetime) -> str:
    """The contact HubSpot deleted loses its id and digest, so nothing is written to a dead
    id; whether a later sync creates it anew is the "recreate deleted contacts" setting's."""
    updated = Contact.objects.filter(hubspot_id=hubspot_id).update(
        hubspot_id="", hubspot_email="", pushed_hash="", hubspot_deleted_at=when)
    if not updated:
        return f"No contact of ours has HubSpot id {hubspot_id}."
    return f"Contact {hubspot_id} deleted in HubSpot: forgotten ({updated} in the mirror)."


def contacts_hubspot_merged(*, merged_ids: list[str], primary_id: str, new_id: str) -> str:
    """Every mirror contact of the merged records points at the record that survived.

    Our contacts stay apart (one per e-mail: Zoom will bring each address again), and both
    push to the merged record, which HubSpot finds by either address. Their digests are
    cleared so each is pushed again, filling what the merge left of our properties.
    """
    ids = {str(i) for i in [*merged_ids, primary_id] if str(i)}
    contacts = list(Contact.objects.filter(hubspot_id__in=ids).values_list("email", flat=True))
    if not contacts:
        return f"No contact of ours is among the merged HubSpot contacts {sorted(ids)}."
    Contact.objects.filter(hubspot_id__in=ids).update(
        hubspot_id=new_id, pushed_hash="", hubspot_deleted_at=None)
    return f"Merged into HubSpot contact {new_id}: {', '.join(sorted(contacts))}."


def contact_hubspot_email_changed(*, hubspot_id: str, email: str) -> str:
    """The mirror's contact takes the address HubSpot now has.

    Our e-mail is unique: when another mirror contact already has the new address, both are
    left as they are (the note says so). A later sync that sees the old address in Zoom again
    makes it a contact of its own (upserted by that address like any new person).
    """
    new = email_normalise(email)
    contact = Contact.objects.filter(hubspot_id=hubspot_id).first()
    if contact is None:
        return f"No contact of ours has HubSpot id {hubspot_id}."
    if email_problem(new):
        return f"HubSpot contact {hubspot_id}'s new e-mail {email!r} is not usable: unchanged."
    if contact.hubspot_email:
        # ours is a secondary e-mail of that contact: only the address we write to changes
        Contact.objects.filter(pk=contact.pk).update(hubspot_email=new, pushed_hash="")
        return f"Contact {hubspot_id} (ours: {contact.email}) now has the e-mail {new}."
    if contact.email == new:
        return f"Contact {hubspot_id} already has {new}."
    old = contact.email
    try:
        with transaction.atomic():
            Contact.objects.filter(pk=contact.pk).update(email=new, pushed_hash="")
    except IntegrityError:
        return (f"Contact {hubspot_id}'s e-mail changed to {new} in HubSpot, which another "
                f"contact of ours has: {old} left unchanged.")
    return f"Contact {hubspot_id}'s e-mail changed from {old} to {new}."
