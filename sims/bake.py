"""Run the simulation bakers with real JAX and write their data, with a cache.

For each simulation id: import its baker in a fresh Python process (with
XLA_FLAGS for the simulated devices it asks for), call `bake()`, validate the
data against `sims/schemas/<id>.schema.json` and the envelope against
`envelope.schema.json`, and write `<out>/<id>.json` atomically. A file whose
inputs hash (baker source, schema, JAX and jaxlib versions, devices,
platform) matches is not baked again. Every failure names the simulation
and the reason; nothing half-written is left behind.
"""

from __future__ import annotations

import concurrent.futures
import datetime
import hashlib
import importlib.metadata
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import types
from pathlib import Path

import jsonschema

from sims.registry import FIGURES, SIMS
from sitebuild.errors import BuildError

SIMS_DIR = Path(__file__).resolve().parent
ROOT = SIMS_DIR.parent
ENVELOPE_SCHEMA = json.loads((SIMS_DIR / "schemas" / "envelope.schema.json").read_text())
MARK = "\x1etij-bake "
BAKE_TIMEOUT_S = 600


def baker_path(sim_id: str, baker_dir: Path = SIMS_DIR) -> Path:
    return baker_dir / (sim_id.replace("-", "_") + ".py")


def schema_path(sim_id: str, baker_dir: Path = SIMS_DIR) -> Path:
    return baker_dir / "schemas" / f"{sim_id}.schema.json"


def load_baker(sim_id: str, baker_dir: Path = SIMS_DIR) -> types.ModuleType:
    """The baker module, imported from its file (for tests and the child process)."""
    path = baker_path(sim_id, baker_dir)
    spec = importlib.util.spec_from_file_location(f"sims_baker_{sim_id.replace('-', '_')}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _devices(sim_id: str, baker_dir: Path) -> int:
    """DEVICES read from the baker's source without importing JAX here."""
    for line in baker_path(sim_id, baker_dir).read_text(encoding="utf-8").splitlines():
        if line.startswith("DEVICES"):
            return int(line.split("=", 1)[1].split("#")[0].strip())
    return 1


def hashes(sim_id: str, baker_dir: Path = SIMS_DIR) -> tuple[str, str]:
    """(inputs_hash, source_hash): the cache key, and the same without the platform."""
    source = hashlib.sha256()
    for part in (baker_path(sim_id, baker_dir).read_bytes(), schema_path(sim_id, baker_dir).read_bytes(),
                 _version("jax").encode(), _version("jaxlib").encode(), str(_devices(sim_id, baker_dir)).encode()):
        source.update(hashlib.sha256(part).digest())
    source_hash = source.hexdigest()
    platform = os.environ.get("JAX_PLATFORMS", "cpu")
    return hashlib.sha256(f"{source_hash}:{platform}".encode()).hexdigest(), source_hash


def _version(dist: str) -> str:
    return importlib.metadata.version(dist)


def validate(sim_id: str, envelope: dict, baker_dir: Path = SIMS_DIR) -> None:
    """Raise BuildError unless the envelope and its data match their schemas."""
    try:
        schema = json.loads(schema_path(sim_id, baker_dir).read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise BuildError(f"simulation {sim_id!r}: cannot read its schema {schema_path(sim_id, baker_dir)}: {err}") from None
    for what, instance, against in (("envelope", envelope, ENVELOPE_SCHEMA), ("data", envelope.get("data"), schema)):
        errors = sorted(jsonschema.Draft202012Validator(against).iter_errors(instance), key=lambda e: list(e.path))
        if errors:
            where = lambda e: "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in e.path) or "the top"  # noqa: E731
            problems = "\n".join(f"  - at {where(e)}: {e.message[:300]}" for e in errors[:6])
            raise BuildError(f"simulation {sim_id!r}: the baked {what} does not match its schema:\n{problems}")
    if envelope["sim"] != sim_id:
        raise BuildError(f"simulation {sim_id!r}: the file says it is {envelope['sim']!r}")


def run_baker(sim_id: str, baker_dir: Path = SIMS_DIR) -> dict:
    """Bake one simulation in a fresh process and return its validated envelope."""
    devices = _devices(sim_id, baker_dir)
    env = dict(os.environ, PYTHONPATH=str(ROOT), JAX_PLATFORMS=os.environ.get("JAX_PLATFORMS", "cpu"))
    if devices > 1:
        env["XLA_FLAGS"] = (env.get("XLA_FLAGS", "") + f" --xla_force_host_platform_device_count={devices}").strip()
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "sims.child", str(baker_path(sim_id, baker_dir))],
            capture_output=True, text=True, encoding="utf-8", cwd=ROOT, env=env, timeout=BAKE_TIMEOUT_S,
        )
    except subprocess.TimeoutExpired:
        raise BuildError(f"simulation {sim_id!r}: its baker ran longer than {BAKE_TIMEOUT_S} s and was stopped.") from None
    lines = [line[len(MARK):] for line in proc.stdout.split("\n") if line.startswith(MARK)]
    if proc.returncode != 0 or not lines:
        raise BuildError(f"simulation {sim_id!r}: its baker failed (exit code {proc.returncode}):\n{proc.stderr.strip()[-4000:]}")
    result = json.loads(lines[-1])
    inputs_hash, source_hash = hashes(sim_id, baker_dir)
    envelope = {
        "sim": sim_id,
        "schema_version": result["schema_version"],
        "provenance": dict(result["provenance"], inputs_hash=inputs_hash, source_hash=source_hash,
                           jax=_version("jax"), jaxlib=_version("jaxlib"), simulated_devices=devices > 1),
        "data": result["data"],
    }
    validate(sim_id, envelope, baker_dir)
    return envelope


def write_atomically(path: Path, envelope: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(envelope, f, separators=(",", ":"), allow_nan=False)
    os.replace(tmp, path)


def _read(path: Path, sim_id: str, baker_dir: Path) -> dict:
    try:
        envelope = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as err:
        raise BuildError(f"simulation {sim_id!r}: {path} is not valid JSON ({err}). "
                         "Delete it, or run `python -m sims bake --force`.") from None
    try:
        validate(sim_id, envelope, baker_dir)
    except BuildError as err:
        raise BuildError(f"{err}\nin {path}: delete it, or run `python -m sims bake --force`.") from None
    return envelope


def _cached_hash(path: Path, sim_id: str) -> str | None:
    """The inputs hash a cached bake was made from. A bake of older inputs is
    simply baked again (its schema may have changed since), never validated."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))["provenance"]["inputs_hash"]
    except ValueError as err:
        raise BuildError(f"simulation {sim_id!r}: {path} is not valid JSON ({err}). "
                         "Delete it, or run `python -m sims bake --force`.") from None
    except (KeyError, TypeError):
        return None


def bake_all(out_dir: Path, only: list[str] | None = None, force: bool = False, bake_from: Path | None = None,
             ids: tuple[str, ...] = SIMS + FIGURES, baker_dir: Path = SIMS_DIR, log=print) -> dict[str, str]:
    """Bake the simulations; return {id: "baked" | "cached" | "imported"}."""
    unknown = sorted(set(only or []) - set(ids))
    if unknown:
        raise BuildError(f"unknown simulation id(s): {', '.join(unknown)} (registered: {', '.join(ids) or 'none'})")
    todo = [i for i in ids if not only or i in only]
    outcome: dict[str, str] = {}
    pending = []
    for sim_id in todo:
        target = out_dir / f"{sim_id}.json"
        inputs_hash, source_hash = hashes(sim_id, baker_dir)
        if bake_from is not None and (bake_from / f"{sim_id}.json").exists():
            envelope = _read(bake_from / f"{sim_id}.json", sim_id, baker_dir)
            if envelope["provenance"]["source_hash"] != source_hash:
                raise BuildError(f"simulation {sim_id!r}: the bake in {bake_from} was made from another version of its "
                                 "baker, schema or JAX; bake it again there, or drop --bake-from.")
            write_atomically(target, envelope)
            outcome[sim_id] = "imported"
        elif not force and target.exists() and _cached_hash(target, sim_id) == inputs_hash:
            _read(target, sim_id, baker_dir)  # the same inputs: the file must be intact
            outcome[sim_id] = "cached"
        else:
            pending.append(sim_id)

    def one(sim_id: str) -> None:
        envelope = run_baker(sim_id, baker_dir)
        write_atomically(out_dir / f"{sim_id}.json", envelope)
        outcome[sim_id] = "baked"
        log(f"baked {sim_id} in {envelope['provenance'].get('seconds', 0):.1f} s "
            f"on {envelope['provenance']['device_count']} {envelope['provenance']['backend']} device(s)")

    alone = [i for i in pending if _devices(i, baker_dir) > 1]  # simulated devices need the whole machine
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, os.cpu_count() or 1)) as pool:
        list(pool.map(one, [i for i in pending if i not in alone]))
    for sim_id in alone:
        one(sim_id)
    return {i: outcome[i] for i in todo}


def now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).isoformat()
