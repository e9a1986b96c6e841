#!/usr/bin/env python
import sys


def main():
    from config.env import env_file_load

    # Before Django starts: a DJANGO_SETTINGS_MODULE in .env decides the settings for every
    # command, the worker (`qcluster`), `migrate` and `connect_*` included.
    env_file_load(default_settings="config.settings.local")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
