#!/usr/bin/env python3
"""Write docs/tables.md, the data dictionary of every table, from the table schemas.

.venv/bin/python scripts/data_dictionary.py           # rewrite docs/tables.md
.venv/bin/python scripts/data_dictionary.py --check   # exit 1 if it is out of date
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kasglass.tables import data_dictionary

OUT = Path(__file__).resolve().parents[1] / "docs" / "tables.md"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true")
    args = ap.parse_args(argv)
    text = data_dictionary() + "\n"
    if args.check:
        ok = OUT.exists() and OUT.read_text() == text
        print(
            f"{OUT.name} is "
            + ("up to date" if ok else "out of date: run scripts/data_dictionary.py")
        )
        return 0 if ok else 1
    OUT.write_text(text)
    print(f"{OUT}: {text.count('### ')} tables")
    return 0


if __name__ == "__main__":
    sys.exit(main())
