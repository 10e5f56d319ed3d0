#!/usr/bin/env python
"""Django's command-line utility. Defaults to the development profile, like `make run`."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    os.environ.setdefault("PORTAL_ENV", "development")
    from django.core.management import execute_from_command_line  # noqa: PLC0415 - after env

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
