import sys
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from tqdm import tqdm

from integrations.errors import IntegrationError
from integrations.models import SyncRun, ZoomAccount
from integrations.runs import FINISHED, sync_run_joined_text, sync_run_wait
from webinars.models import Webinar
from webinars.services.discovery import (
    backfill_default_since,
    webinars_backfill,
    webinars_discover,
)
from webinars.services.schedule import webinars_due
from webinars.services.sync import webinar_sync


class Command(BaseCommand):
    help = (
        "Sync webinars in the foreground. No option: discover upcoming webinars and sync those "
        "with sync enabled. --webinar ID: enable and sync that webinar. --all: enable and sync "
        "every webinar. --backfill: also discover every webinar held since --since (default "
        "six months ago), including ones that have expired from Zoom's lists, then sync the "
        "enabled ones (with --all: every one found)."
    )

    def add_arguments(self, parser):
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--all", action="store_true")
        group.add_argument("--webinar", metavar="ZOOM_ID")
        parser.add_argument("--backfill", action="store_true",
                            help="Discover past webinars from Zoom's history report too.")
        parser.add_argument("--since", metavar="YYYY-MM-DD",
                            help="With --backfill: from this day (default: six months ago).")
        parser.add_argument("--account", metavar="ID",
                            help="Only this linked Zoom account (Zoom account id or name).")
        parser.add_argument("--no-progress", action="store_true", help="No progress bars.")

    def handle(self, *args, **opts):
        self.progress = not opts["no_progress"]
        accounts = self._accounts(opts["account"])
        since = self._since(opts["since"], backfill=opts["backfill"])
        if opts["backfill"]:
            found = self._backfill(accounts, since)
        else:
            found = self._discover(accounts)
        if opts["webinar"]:
            zoom_id = opts["webinar"].replace(" ", "")
            webinar = Webinar.objects.filter(zoom_id=zoom_id, zoom_account__in=accounts).first()
            if webinar is None:
                raise CommandError(f"No webinar with id {opts['webinar']} in the linked accounts.")
            webinars = [webinar]
        elif opts["all"]:
            webinars = found
        else:
            # as the schedule: not the webinars Zoom has nothing more for (deleted, not held;
            # with webhooks on, settled), nor upcoming ones synced recently with webhooks on
            due = {w.pk for account in accounts for w in webinars_due(account=account)}
            webinars = [w for w in found if w.pk in due]
        if opts["webinar"] or opts["all"]:
            Webinar.objects.filter(pk__in=[w.pk for w in webinars]).update(sync_enabled=True)
            for webinar in webinars:
                webinar.sync_enabled = True
        if not webinars and any(w.sync_enabled for w in found):
            self.stdout.write("Nothing to re-sync: every enabled webinar is finished, not held "
                              "or kept current by Zoom's webhooks; use --webinar ID to sync one "
                              "anyway.")
            return
        if not webinars:
            self.stdout.write("No webinar has sync enabled; use --all or --webinar ID.")
            return
        failed = self._sync(webinars)
        if failed:
            raise CommandError(f"{failed} of {len(webinars)} webinar sync(s) failed.")

    # --- what to sync ---------------------------------------------------------------------

    def _accounts(self, ref: str | None) -> list[ZoomAccount]:
        accounts = ZoomAccount.objects.order_by("pk")
        if not accounts.exists():
            raise CommandError("No Zoom account is linked. Run `manage.py connect_zoom` first.")
        if ref:
            accounts = accounts.filter(Q(zoom_account_id=ref) | Q(name=ref))
            if not accounts.exists():
                raise CommandError(f"No linked Zoom account with id or name “{ref}”.")
        return list(accounts)

    def _since(self, value: str | None, *, backfill: bool) -> date:
        if value and not backfill:
            raise CommandError("--since only applies with --backfill.")
        if not value:
            return backfill_default_since()
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise CommandError(f"--since must be a date like 2026-01-31, not “{value}”.") \
                from None

    def _discover(self, accounts) -> list[Webinar]:
        for account in accounts:
            try:
                found = webinars_discover(account=account)
            except IntegrationError as exc:
                raise CommandError(f"Could not list webinars of “{account}”: {exc.message}") \
                    from None
            self.stdout.write(f"{account}: {len(found)} webinar(s) found in Zoom.")
        return list(Webinar.objects.filter(zoom_account__in=accounts).order_by("start_time"))

    def _backfill(self, accounts, since: date) -> list[Webinar]:
        found = []
        for account in accounts:
            with tqdm(desc=f"Finding webinars of {account}"[:50], unit="step",
                      disable=not self.progress, leave=False, file=sys.stderr) as bar:
                def on_progress(run, bar=bar):
                    bar.total = run.total
                    bar.update(run.done - bar.n)

                result = webinars_backfill(account=account, since=since, trigger="command",
                                           on_progress=on_progress)
            if not result.ok:
                raise CommandError(f"Could not list webinars of “{account}”: {result.run.error}")
            self.stdout.write(
                f"{account}: {len(result.webinars)} webinar(s) upcoming or held since "
                f"{since:%Y-%m-%d} ({result.new} new, "
                f"{sum(w.sync_enabled for w in result.webinars)} with sync enabled).")
            found.extend(result.webinars)
        return found

    # --- syncing --------------------------------------------------------------------------

    def _sync(self, webinars: list[Webinar]) -> int:
        failed = 0
        overall = tqdm(total=len(webinars), desc="Webinars", unit="webinar", position=0,
                       disable=not self.progress or len(webinars) < 2, file=sys.stderr)
        with overall:
            for webinar in webinars:
                with tqdm(desc=webinar.topic[:40], unit="rec", position=1, leave=False,
                          disable=not self.progress, file=sys.stderr) as bar:
                    def on_progress(run, bar=bar):
                        bar.total = run.total
                        bar.set_postfix_str(run.counts.get("step", ""), refresh=False)
                        bar.update(run.done - bar.n)

                    run, joined = self._sync_one(webinar, on_progress)
                with tqdm.external_write_mode(file=sys.stderr):
                    by = " It was done by the sync this command joined." if joined else ""
                    if run.status == run.Status.SUCCEEDED:
                        self.stdout.write(self.style.SUCCESS(_summary(webinar, run.counts) + by))
                    else:
                        failed += 1
                        self.stderr.write(self.style.ERROR(
                            f"✘ {webinar.topic}: {run.error}{by}"))
                overall.update(1)
        return failed

    def _sync_one(self, webinar: Webinar, on_progress) -> tuple[SyncRun, bool]:
        """Syncs the webinar here, or — when another process is syncing it — follows that
        run to its end. Returns the run and whether it was another process's."""
        joined = False
        while True:
            run = webinar_sync(webinar=webinar, trigger="command", on_progress=on_progress)
            if not run.joined:
                return run, joined
            joined = True
            with tqdm.external_write_mode(file=sys.stderr):
                self.stdout.write(f"↪ {sync_run_joined_text(run=run)} Waiting for it to "
                                  "finish…")
            run = sync_run_wait(run=run, on_progress=on_progress)
            if run.status in FINISHED:
                return run, joined
            # its worker stopped: the next round marks it failed and starts a fresh run


def _summary(webinar: Webinar, counts: dict) -> str:
    text = (
        f"✔ {webinar.topic}: {counts.get('registrants', 0)} registrant(s), "
        f"{counts.get('attendees', 0)} attendee(s), "
        f"{counts.get('contacts_pushed', 0)} contact(s) pushed "
        f"({counts.get('contacts_created', 0)} new), "
        f"{counts.get('attendance_recorded', 0)} attendance record(s)."
    )
    if counts.get("note"):
        text += f" {counts['note']}"
    if counts.get("sessions_waiting"):
        text += (f" {counts['sessions_waiting']} session(s) wait for Zoom's attendance report;"
                 " the next sync picks them up.")
    return text
