"""The bake pipeline: real JAX in fresh processes, schemas, provenance, cache,
--bake-from, and failures that name the simulation and leave nothing behind."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from sims import bake
from sitebuild import assets
from sitebuild.errors import BuildError
from tests.conftest import ROOT

FIXTURES = ROOT / "tests" / "fixtures" / "sims"


@pytest.fixture
def bakers(tmp_path):
    """A private copy of the fixture bakers (tests may edit them)."""
    copy = tmp_path / "bakers"
    shutil.copytree(FIXTURES, copy)
    return copy


def run(out, bakers, *ids, **kw):
    return bake.bake_all(out, ids=ids, baker_dir=bakers, log=lambda line: None, **kw)


def test_a_bake_runs_real_jax_and_records_where_it_ran(tmp_path, bakers):
    assert run(tmp_path / "out", bakers, "tiny-square") == {"tiny-square": "baked"}
    envelope = json.loads((tmp_path / "out" / "tiny-square.json").read_text())
    assert envelope["data"] == {"x": [0.0, 1.0, 2.0, 3.0], "y": [0.0, 1.0, 4.0, 9.0], "dy": [0.0, 2.0, 4.0, 6.0]}
    p = envelope["provenance"]
    assert (p["jax"], p["jaxlib"], p["backend"], p["device_count"], p["simulated_devices"]) == ("0.10.2", "0.10.2", "cpu", 1, False)
    assert len(p["inputs_hash"]) == 64 and p["baked_at"].endswith("+00:00") and p["machine"]


def test_an_unchanged_baker_is_not_baked_again_and_a_changed_one_is(tmp_path, bakers):
    out = tmp_path / "out"
    run(out, bakers, "tiny-square")
    assert run(out, bakers, "tiny-square") == {"tiny-square": "cached"}
    assert run(out, bakers, "tiny-square", force=True) == {"tiny-square": "baked"}
    source = bakers / "tiny_square.py"
    source.write_text(source.read_text().replace("xs = [0.0, 1.0, 2.0, 3.0]", "xs = [0.0, 1.0, 2.0, 3.0, 4.0]"))
    assert run(out, bakers, "tiny-square") == {"tiny-square": "baked"}
    assert json.loads((out / "tiny-square.json").read_text())["data"]["y"][-1] == 16.0


def test_two_bakes_give_identical_data(tmp_path, bakers):
    one = bake.run_baker("tiny-square", bakers)
    two = bake.run_baker("tiny-square", bakers)
    assert one["data"] == two["data"]


def test_a_broken_baker_fails_with_its_id_and_reason_and_writes_nothing(tmp_path, bakers):
    out = tmp_path / "out"
    with pytest.raises(BuildError) as info:
        run(out, bakers, "broken-baker")
    message = str(info.value)
    assert message.startswith("simulation 'broken-baker': its baker failed")
    assert "RuntimeError: this baker is broken on purpose" in message
    assert not out.exists() or list(out.iterdir()) == []


def test_data_that_breaks_its_schema_fails_and_names_the_field(tmp_path, bakers):
    with pytest.raises(BuildError, match=r"simulation 'wrong-shape': the baked data does not match its schema:\n  - at \.y: 'not a list' is not of type 'array'"):
        run(tmp_path / "out", bakers, "wrong-shape")
    assert not (tmp_path / "out" / "wrong-shape.json").exists()


def test_a_corrupt_cached_bake_fails_with_advice_and_force_recovers(tmp_path, bakers):
    out = tmp_path / "out"
    run(out, bakers, "tiny-square")
    (out / "tiny-square.json").write_text('{"sim": "tiny-square", "trunc')
    with pytest.raises(BuildError, match=r"simulation 'tiny-square': .* is not valid JSON .*run `python -m sims bake --force`"):
        run(out, bakers, "tiny-square")
    assert run(out, bakers, "tiny-square", force=True) == {"tiny-square": "baked"}
    assert [p.name for p in out.iterdir()] == ["tiny-square.json"]  # no temporary files left


def test_bake_from_reuses_a_bake_made_elsewhere_only_for_the_same_baker(tmp_path, bakers):
    elsewhere = tmp_path / "gpu"
    run(elsewhere, bakers, "tiny-square")
    stamp = json.loads((elsewhere / "tiny-square.json").read_text())
    stamp["provenance"]["backend"] = "gpu"  # as if baked on a GPU machine
    (elsewhere / "tiny-square.json").write_text(json.dumps(stamp))
    out = tmp_path / "out"
    assert run(out, bakers, "tiny-square", bake_from=elsewhere) == {"tiny-square": "imported"}
    assert json.loads((out / "tiny-square.json").read_text())["provenance"]["backend"] == "gpu"
    source = bakers / "tiny_square.py"
    source.write_text(source.read_text() + "\n# changed\n")
    with pytest.raises(BuildError, match="made from another version of its baker"):
        run(tmp_path / "out2", bakers, "tiny-square", bake_from=elsewhere)


def test_unknown_ids_are_refused_by_the_command_line():
    proc = subprocess.run([sys.executable, "-m", "sims", "bake", "--only", "no-such-sim"], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 1
    assert "Bake failed: unknown simulation id(s): no-such-sim" in proc.stderr


def test_baked_data_reaches_the_page_as_a_script_not_a_fetch(tmp_path, bakers, monkeypatch):
    run(tmp_path / "bakes", bakers, "tiny-square")
    monkeypatch.setattr("sims.registry.SIMS", ("tiny-square",))
    assert assets.write_sim_data(tmp_path / "site", tmp_path / "bakes") == 1
    script = (tmp_path / "site" / "assets" / "tij" / "sims" / "data" / "tiny-square.js").read_text()
    prefix = 'ThinkingInJaxSims.provide("tiny-square", '
    assert script.startswith(prefix) and script.endswith(");\n")
    assert json.loads(script[len(prefix):-3])["data"]["dy"] == [0.0, 2.0, 4.0, 6.0]


def test_every_registered_simulation_has_its_baker_schema_player_and_page():
    from sims.registry import SIMS

    for sim_id in SIMS:
        module = sim_id.replace("-", "_")
        assert (ROOT / "sims" / f"{module}.py").is_file(), sim_id
        assert (ROOT / "sims" / "schemas" / f"{sim_id}.schema.json").is_file(), sim_id
        assert (ROOT / "site_src" / "sims" / f"{sim_id}.js").is_file(), sim_id
        assert (ROOT / "docs" / "sims" / f"{sim_id}.md").is_file(), sim_id
        assert (ROOT / "tests" / f"test_sim_{module}.py").is_file(), sim_id


def test_a_cached_bake_of_an_older_schema_is_baked_again_not_rejected(tmp_path, bakers):
    out = tmp_path / "out"
    run(out, bakers, "tiny-square")
    schema = bakers / "schemas" / "tiny-square.schema.json"
    # The schema changes in a way the old file no longer satisfies: the inputs hash changes with it.
    schema.write_text(schema.read_text().replace('"required": ["x", "y", "dy"]', '"required": ["x", "y", "dy", "extra"]')
                      .replace('"dy": {"type": "array", "items": {"type": "number"}}',
                               '"dy": {"type": "array", "items": {"type": "number"}}, "extra": {"type": "number"}'))
    source = bakers / "tiny_square.py"
    source.write_text(source.read_text().replace('"dy": [', '"extra": 1.0, "dy": ['))
    assert run(out, bakers, "tiny-square") == {"tiny-square": "baked"}
