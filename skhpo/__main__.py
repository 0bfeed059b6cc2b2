"""``python -m skhpo show PATH``: the progress of a search from its storage."""

from __future__ import annotations

import argparse
import sys


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m skhpo",
        description="Look at a search through the journal it writes (storage=).",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    show = commands.add_parser(
        "show",
        help="print a search's progress, its best candidate so far and a top-k "
        "table (also while it runs)",
    )
    show.add_argument("path", help="the search's storage file")
    show.add_argument(
        "--top", type=int, default=10, help="rows of the table (default 10)"
    )
    args = parser.parse_args(argv)

    from .storage import JournalError
    from .storage._load import show as show_journal

    try:
        show_journal(args.path, top=args.top)
    except (FileNotFoundError, JournalError, ValueError) as exc:
        print(f"python -m skhpo show: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
