from django.core.management.base import BaseCommand, CommandError

from integrations.services.secrets import stored_secrets_rotate


class Command(BaseCommand):
    help = (
        "Re-encrypt every stored secret (tokens, client secrets, webhook secrets) with the "
        "first key of FIELD_ENCRYPTION_KEY, so the older keys after it can be removed. Secrets "
        "no key decrypts are named and left unchanged; the command then exits with status 1."
    )

    def handle(self, *args, **opts):
        report = stored_secrets_rotate()
        for label in sorted(set(report.rotated) | set(report.current)):
            self.stdout.write(f"{label}: {report.rotated[label]} secret(s) re-encrypted, "
                              f"{report.current[label]} already on the first key.")
        total = sum(report.rotated.values())
        if report.unreadable:
            rows = "\n".join(f"  {name}" for name in report.unreadable)
            raise CommandError(
                f"{len(report.unreadable)} secret(s) could not be decrypted with any key of "
                f"FIELD_ENCRYPTION_KEY and were left unchanged:\n{rows}\n"
                "Enter them again in the admin (or add back the key that encrypted them) "
                "before removing a key."
            )
        self.stdout.write(self.style.SUCCESS(
            f"Re-encrypted {total} secret(s). Every stored secret now uses the first key of "
            "FIELD_ENCRYPTION_KEY; the keys after it can be removed."
        ))
