"""The ``cuakhau`` command: Django's management commands plus the product's own
(``demo``, ``serve``, ``createtoken``, ``load_reference``)."""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cuakhau.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["cuakhau", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
