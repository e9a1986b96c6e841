"""Where `connect_zoom` and `connect_hubspot` take secrets from.

A secret given as an argument shows in `ps` to every user of the machine and stays in the
shell history, so each secret can come from an environment variable (`--…-env VARIABLE`). When
no secret option is given at all, the command asks for each secret without echoing it, or —
when standard input is not a terminal — reads them from standard input, one per line in the
order the command documents. The old argument still works, with a warning, so existing
scripts keep running.
"""

import getpass
import os
from dataclasses import dataclass

from django.core.management.base import CommandError


@dataclass(frozen=True)
class Secret:
    option: str  # "client-secret": --client-secret-env VARIABLE, or --client-secret VALUE
    label: str  # "Zoom client secret", for prompts and errors
    required: bool = True

    @property
    def dest(self) -> str:
        return self.option.replace("-", "_")


def secret_options_add(parser, secrets: list[Secret]) -> None:
    for secret in secrets:
        group = parser.add_mutually_exclusive_group()
        group.add_argument(f"--{secret.option}-env", metavar="VARIABLE", default="",
                           help=f"Read the {secret.label} from this environment variable.")
        group.add_argument(f"--{secret.option}", default="", metavar="VALUE",
                           help=f"The {secret.label} itself: visible in the process list and "
                                f"the shell history; prefer --{secret.option}-env or the "
                                "prompt.")


def secrets_read(*, command, opts: dict, secrets: list[Secret]) -> dict[str, str]:
    """Each secret by its option's dest; CommandError when a required one is missing."""
    ask = not any(opts.get(s.dest) or opts.get(f"{s.dest}_env") for s in secrets)
    return {s.dest: _secret_read(command, opts, s, ask=ask) for s in secrets}


def _secret_read(command, opts: dict, secret: Secret, *, ask: bool) -> str:
    variable, value = opts.get(f"{secret.dest}_env"), opts.get(secret.dest)
    if variable:
        value = os.environ.get(variable, "").strip()
        if not value and secret.required:
            raise CommandError(f"The environment variable {variable} (--{secret.option}-env) "
                               f"is not set or empty; it should hold the {secret.label}.")
        return value
    if value:
        command.stderr.write(
            f"Warning: --{secret.option} shows the {secret.label} in the process list and the "
            f"shell history; use --{secret.option}-env VARIABLE or the prompt instead.")
        return value
    if ask:
        if command.stdin.isatty():
            skip = "" if secret.required else " (Enter to skip)"
            value = getpass.getpass(f"{secret.label}{skip}: ")
        else:
            value = command.stdin.readline()
        value = value.strip()
    if not value and secret.required:
        raise CommandError(
            f"No {secret.label} given: use --{secret.option}-env VARIABLE, or give no secret "
            "option and type it when asked (or send it on standard input).")
    return value
