"""Reads over the webinar mirror that other apps need."""

from .models import AttendanceSession, Registrant, Webinar


def webinar_contact_ids(*, webinar: Webinar) -> list[int]:
    """Every contact linked to the webinar (registrants and attendees), sorted. Ids only: a
    50,000-registrant webinar costs a few hundred kilobytes here, never its rows."""
    ids = set(Registrant.objects.filter(webinar=webinar, contact__isnull=False)
              .values_list("contact_id", flat=True))
    ids.update(AttendanceSession.objects.filter(instance__webinar=webinar, contact__isnull=False)
               .values_list("contact_id", flat=True))
    return sorted(ids)
