"""docs/roles.md documents every role variable, straight from the argument specs."""

from __future__ import annotations

import pathlib
import subprocess
import sys

import yaml

REPO = pathlib.Path(__file__).resolve().parents[2]


def test_role_docs_are_current():
    result = subprocess.run(
        [sys.executable, "tools/role_docs.py", "--check"], cwd=REPO, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout


def test_every_default_is_in_the_argument_spec():
    """No role variable hides in defaults/main.yml without a type and a description."""
    for defaults in REPO.glob("roles/*/defaults/main.yml"):
        role = defaults.parents[1].name
        specified = yaml.safe_load((defaults.parents[1] / "meta/argument_specs.yml").read_text())["argument_specs"]
        options = set(specified["main"].get("options") or {})
        missing = set(yaml.safe_load(defaults.read_text()) or {}) - options
        assert not missing, f"{role}: {sorted(missing)}"
