"""`python -m sims bake [--only ID] [--force] [--bake-from DIR]`."""

from __future__ import annotations

import argparse
import sys

from sims.registry import BAKERS


def bake(only: list[str] | None = None, force: bool = False, bake_from: str | None = None, log=print) -> int:
    """Bake the registered simulations; return how many were baked."""
    unknown = sorted(set(only or []) - set(BAKERS))
    if unknown:
        known = ", ".join(sorted(BAKERS)) or "none yet"
        raise SystemExit(f"unknown simulation id(s): {', '.join(unknown)} (registered: {known})")
    if not BAKERS:
        log("no simulations are registered yet (sims/registry.py); nothing to bake")
        return 0
    raise NotImplementedError("baking arrives with the simulation framework")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sims", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("bake", help="run the simulation bakers with real JAX")
    p.add_argument("--only", action="append", metavar="ID", help="bake only this simulation (repeatable)")
    p.add_argument("--force", action="store_true", help="ignore the bake cache")
    p.add_argument("--bake-from", metavar="DIR", help="reuse bakes made elsewhere (e.g. on a GPU machine)")
    args = parser.parse_args(argv)
    bake(args.only, args.force, args.bake_from)
    return 0


if __name__ == "__main__":
    sys.exit(main())
