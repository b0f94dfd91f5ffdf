"""`make` stops with one clear line when a prerequisite is missing."""

import os
import subprocess
import sys

from tests.conftest import ROOT


def run_check(env_path: str, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PATH=env_path, CHROMIUM="/nonexistent/chromium")
    return subprocess.run([sys.executable, "-m", "sitebuild.prereqs", *args], cwd=ROOT, env=env, capture_output=True, text=True)


def test_missing_node_is_reported_in_one_line_that_says_what_to_install(tmp_path):
    result = run_check(str(tmp_path))  # an empty PATH: no node, no npm
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert lines == ["Missing prerequisite: Node.js 20 or newer is needed (with npm): install it from https://nodejs.org or with `apt-get install nodejs npm`."]


def test_missing_chromium_is_reported_only_when_browser_tests_need_it():
    path = os.environ["PATH"]
    assert run_check(path).returncode == 0
    result = run_check(path, "--browser")
    assert result.returncode == 1
    assert "apt-get install -y chromium" in result.stderr
