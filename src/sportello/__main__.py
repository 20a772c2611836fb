"""The `sportello` console command: Django's manage.py with Sportello's settings."""

import os
import sys


def main() -> None:
    from sportello.config import settings_module

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", settings_module())
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
