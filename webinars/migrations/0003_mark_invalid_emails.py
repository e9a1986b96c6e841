"""Rows stored before e-mails were checked on the way in: an invalid address gets its reason
and loses its contact, so the next sync neither pushes it nor fails on it. A participant row
of a registrant takes the registrant's address, as new rows do."""

from django.db import migrations


def mark_invalid_emails(apps, schema_editor):
    from contacts.services.people import email_problem

    Registrant = apps.get_model("webinars", "Registrant")
    AttendanceSession = apps.get_model("webinars", "AttendanceSession")
    for registrant in Registrant.objects.exclude(email="").only("id", "email").iterator(
            chunk_size=2000):
        problem = email_problem(registrant.email)
        if problem:
            Registrant.objects.filter(pk=registrant.pk).update(email_problem=problem,
                                                                contact=None)
    for row in AttendanceSession.objects.exclude(email="").only(
            "id", "email", "registrant_id").iterator(chunk_size=2000):
        problem = email_problem(row.email)
        if not problem:
            continue
        registrant = Registrant.objects.filter(pk=row.registrant_id).first()
        if registrant is None:
            AttendanceSession.objects.filter(pk=row.pk).update(email_problem=problem,
                                                               contact=None)
        else:
            AttendanceSession.objects.filter(pk=row.pk).update(
                email=registrant.email, email_problem=registrant.email_problem,
                contact_id=registrant.contact_id)


class Migration(migrations.Migration):

    dependencies = [
        ("webinars", "0002_invalid_emails_kept"),
    ]

    operations = [
        migrations.RunPython(mark_invalid_emails, migrations.RunPython.noop),
    ]
