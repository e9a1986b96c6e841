"""Reads over the webinar mirror that other apps and the admin need."""

from dataclasses import dataclass

from .models import AttendanceSession, Registrant, Webinar


def webinar_contact_ids(*, webinar: Webinar) -> list[int]:
    """Every contact linked to the webinar (registrants and attendees), sorted. Ids only: a
    50,000-registrant webinar costs a few hundred kilobytes here, never its rows."""
    ids = set(Registrant.objects.filter(webinar=webinar, contact__isnull=False)
              .values_list("contact_id", flat=True))
    ids.update(AttendanceSession.objects.filter(instance__webinar=webinar, contact__isnull=False)
               .values_list("contact_id", flat=True))
    return sorted(ids)


@dataclass
class InvalidEmail:
    """An address Zoom gave for someone of the webinar that is not a valid e-mail."""

    email: str
    problem: str
    name: str
    registered: bool = False
    attended: bool = False


def webinar_invalid_emails(*, webinar: Webinar) -> list[InvalidEmail]:
    """Each invalid address among the webinar's registrants and attendees, once, by address."""
    found: dict[str, InvalidEmail] = {}
    for email, problem, first, last in Registrant.objects.filter(webinar=webinar).exclude(
        email_problem=""
    ).values_list("email", "email_problem", "first_name", "last_name"):
        found.setdefault(email, InvalidEmail(email, problem, f"{first} {last}".strip())
                         ).registered = True
    for email, problem, name in AttendanceSession.objects.filter(
        instance__webinar=webinar
    ).exclude(email_problem="").values_list("email", "email_problem", "name").distinct():
        found.setdefault(email, InvalidEmail(email, problem, name)).attended = True
    return sorted(found.values(), key=lambda item: item.email)


@dataclass
class OnStage:
    """A panelist, host or user of our own account who joined a session."""

    email: str
    name: str
    role: str


def webinar_people_on_stage(*, webinar: Webinar) -> list[OnStage]:
    """Each person who joined the webinar not as its audience, once, by address and role."""
    found: dict[tuple[str, str], OnStage] = {}
    rows = AttendanceSession.objects.filter(instance__webinar=webinar).exclude(
        role=AttendanceSession.Role.ATTENDEE).values_list("email", "name", "role").distinct()
    for email, name, role in rows:
        found.setdefault((email or name, role), OnStage(
            email, name, AttendanceSession.Role(role).label))
    return sorted(found.values(), key=lambda item: (item.role, item.email, item.name))
