"""Attendance as Zoom reports it.

- Each session remembers every uuid Zoom gave it (a restarted session has two), starting with
  the one it had and those its stored rows came from, so a restarted session stored complete
  is not fetched again after the upgrade.
- Rows of time spent in the waiting room, stored before waiting stopped counting, are
  removed: the next sync's timelines and roll-ups leave that time out.
"""

from django.db import migrations, models

WAITING_ROOM = "in_waiting_room"


def remember_held_uuids(apps, schema_editor):
    WebinarInstance = apps.get_model("webinars", "WebinarInstance")
    AttendanceSession = apps.get_model("webinars", "AttendanceSession")
    from_rows: dict[int, set[str]] = {}
    for instance_id, uuid in AttendanceSession.objects.exclude(zoom_uuid="").values_list(
            "instance_id", "zoom_uuid").distinct().iterator(chunk_size=2000):
        from_rows.setdefault(instance_id, set()).add(uuid)
    for instance in WebinarInstance.objects.exclude(uuid="").only("id", "uuid").iterator(
            chunk_size=2000):
        uuids = [instance.uuid, *sorted(from_rows.pop(instance.id, set()) - {instance.uuid})]
        WebinarInstance.objects.filter(pk=instance.pk).update(held_uuids=uuids)
    for instance_id, uuids in from_rows.items():
        WebinarInstance.objects.filter(pk=instance_id).update(held_uuids=sorted(uuids))


def forget_waiting_room_rows(apps, schema_editor):
    AttendanceSession = apps.get_model("webinars", "AttendanceSession")
    AttendanceSession.objects.filter(raw__status=WAITING_ROOM).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("webinars", "0004_registrations_per_session"),
    ]

    operations = [
        migrations.AddField(
            model_name="webinarinstance",
            name="held_uuids",
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.RunPython(remember_held_uuids, migrations.RunPython.noop),
        migrations.RunPython(forget_waiting_room_rows, migrations.RunPython.noop),
    ]
