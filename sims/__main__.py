"""`python -m sims bake [--only ID] [--force] [--bake-from DIR] [--out DIR]`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sims.bake import bake_all
from sitebuild.errors import BuildError

DEFAULT_OUT = Path(__file__).resolve().parent.parent / ".cache" / "bakes"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sims", description="Bake the simulations with real JAX.")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("bake", help="run the simulation bakers with real JAX")
    p.add_argument("--only", action="append", metavar="ID", help="bake only this simulation (repeatable)")
    p.add_argument("--force", action="store_true", help="bake again even if the cache is up to date")
    p.add_argument("--bake-from", metavar="DIR", type=Path, help="reuse bakes made elsewhere (e.g. on a GPU machine)")
    p.add_argument("--out", metavar="DIR", type=Path, default=DEFAULT_OUT, help="where bakes are written (default .cache/bakes)")
    args = parser.parse_args(argv)
    try:
        outcome = bake_all(args.out, args.only, args.force, args.bake_from)
    except BuildError as err:
        print(f"Bake failed: {err}", file=sys.stderr)
        return 1
    print(", ".join(f"{sim}: {what}" for sim, what in outcome.items()) or "no simulations are registered")
    return 0


if __name__ == "__main__":
    sys.exit(main())
