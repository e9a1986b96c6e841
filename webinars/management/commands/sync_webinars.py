from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from integrations.errors import IntegrationError
from integrations.models import ZoomAccount
from webinars.models import Webinar
from webinars.services.discovery import webinars_discover
from webinars.services.sync import STEPS, webinar_sync


class Command(BaseCommand):
    help = (
        "Sync webinars in the foreground. No option: discover webinars and sync those with "
        "sync enabled. --webinar ID: enable and sync that webinar. --all: enable and sync every "
        "webinar of every linked Zoom account."
    )

    def add_arguments(self, parser):
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--all", action="store_true")
        group.add_argument("--webinar", metavar="ZOOM_ID")
        parser.add_argument("--no-progress", action="store_true", help="No progress bars.")

    def handle(self, *args, **opts):
        accounts = list(ZoomAccount.objects.all())
        if not accounts:
            raise CommandError("No Zoom account is linked. Run `manage.py connect_zoom` first.")
        for account in accounts:
            try:
                found = webinars_discover(account=account)
            except IntegrationError as exc:
                raise CommandError(f"Could not list webinars of “{account}”: {exc.message}") \
                    from None
            self.stdout.write(f"{account}: {len(found)} webinar(s) found in Zoom.")
        if opts["webinar"]:
            webinar = Webinar.objects.filter(zoom_id=opts["webinar"].replace(" ", "")).first()
            if webinar is None:
                raise CommandError(f"No webinar with id {opts['webinar']} in the linked accounts.")
            webinars = [webinar]
        elif opts["all"]:
            webinars = list(Webinar.objects.all())
        else:
            webinars = list(Webinar.objects.filter(sync_enabled=True))
        if opts["webinar"] or opts["all"]:
            Webinar.objects.filter(pk__in=[w.pk for w in webinars]).update(sync_enabled=True)
            for webinar in webinars:
                webinar.sync_enabled = True
        if not webinars:
            self.stdout.write("No webinar has sync enabled; use --all or --webinar ID.")
            return
        failed = 0
        for webinar in webinars:
            with tqdm(total=len(STEPS), desc=webinar.topic[:40], unit="step",
                      disable=opts["no_progress"], leave=True) as bar:
                def on_progress(run, bar=bar):
                    bar.n = run.done
                    bar.set_postfix_str(run.counts.get("step", ""))
                    bar.refresh()

                run = webinar_sync(webinar=webinar, trigger="command", on_progress=on_progress)
                bar.n = run.done
                bar.refresh()
            if run.status == run.Status.SUCCEEDED:
                counts = run.counts
                self.stdout.write(self.style.SUCCESS(
                    f"✔ {webinar.topic}: {counts.get('registrants', 0)} registrant(s), "
                    f"{counts.get('attendees', 0)} attendee(s), "
                    f"{counts.get('contacts_pushed', 0)} contact(s) pushed "
                    f"({counts.get('contacts_created', 0)} new), "
                    f"{counts.get('attendance_recorded', 0)} attendance record(s)."
                ))
            else:
                failed += 1
                self.stderr.write(self.style.ERROR(f"✘ {webinar.topic}: {run.error}"))
        if failed:
            raise CommandError(f"{failed} of {len(webinars)} webinar sync(s) failed.")
