"""What people told Zoom about themselves, as HubSpot contact properties."""

from ..models import AttendanceSession, QuestionMapping, Registrant

# Zoom registration fields that have a standard HubSpot contact property.
STANDARD_FIELD_MAP = {
    "org": "company", "job_title": "jobtitle", "phone": "phone", "address": "address",
    "city": "city", "state": "state", "zip": "zip", "country": "country",
    "industry": "industry",
}


def _mapped() -> dict[str, tuple[str, bool]]:
    """Zoom answer key (a standard field's name, or a custom question's title) → the HubSpot
    property the user mapped it to, and whether the question takes several answers."""
    return {question.strip().lower(): (prop, kind == "multiple") for question, prop, kind in
            QuestionMapping.objects.values_list("question", "hubspot_property",
                                                "question_type")}


def webinar_contact_profiles(contact_ids: list[int]) -> dict[int, dict[str, str]]:
    """Name and standard fields from each contact's latest registration (or, for people who
    attended without registering, the name they joined with), and the answers mapped under
    Registration question mappings, in HubSpot's property names."""
    mapped = _mapped()
    profiles: dict[int, dict] = {}
    latest = {}
    rows = Registrant.objects.filter(contact_id__in=contact_ids).values(
        "contact_id", "first_name", "last_name", "answers", "registered_at"
    )
    for row in rows:
        key = row["registered_at"]
        if row["contact_id"] in latest and key is not None and latest[row["contact_id"]] and (
            key <= latest[row["contact_id"]]
        ):
            continue
        latest[row["contact_id"]] = key
        profile = {"firstname": row["first_name"], "lastname": row["last_name"]}
        for zoom_field, prop in STANDARD_FIELD_MAP.items():
            profile[prop] = str(row["answers"].get(zoom_field, "") or "")
        if mapped:
            answers = {key.strip().lower(): value for key, value in row["answers"].items()}
            for question, (prop, several) in mapped.items():
                if answers.get(question):
                    # Zoom joins several answers with ",", HubSpot's checkboxes with ";"
                    profile[prop] = (";".join(a.strip() for a in str(answers[question]).split(","))
                                     if several else str(answers[question]))
        profiles[row["contact_id"]] = profile
    missing = [cid for cid in contact_ids if cid not in profiles]
    if missing:
        for row in AttendanceSession.objects.filter(contact_id__in=missing).exclude(
            name=""
        ).values("contact_id", "name"):
            first, _, last = row["name"].partition(" ")
            profiles.setdefault(row["contact_id"], {"firstname": first, "lastname": last})
    return profiles
