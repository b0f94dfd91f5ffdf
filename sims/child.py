"""Bake one simulation in this (fresh) process: `python -m sims.child BAKER.py`.

Prints one line, MARK + JSON {schema_version, provenance, data}, for sims.bake.
"""

from __future__ import annotations

import json
import platform
import sys
import time
from pathlib import Path

from sims.bake import MARK, now


def main(path: str) -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("baker", path)
    baker = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(baker)
    start = time.perf_counter()
    data = baker.bake()
    seconds = time.perf_counter() - start

    import jax

    devices = jax.devices()
    provenance = {
        "backend": jax.default_backend(),
        "device_kind": devices[0].device_kind,
        "device_count": len(devices),
        "baked_at": now(),
        "machine": _machine(devices[0]),
        "seconds": round(seconds, 3),
    }
    line = json.dumps({"schema_version": baker.SCHEMA_VERSION, "provenance": provenance, "data": data}, allow_nan=False)
    sys.stdout.write(MARK + line + "\n")


def _machine(device) -> str:
    if device.platform != "cpu":
        return device.device_kind
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


if __name__ == "__main__":
    main(sys.argv[1])
