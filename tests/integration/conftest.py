"""Fixtures of the integration tests."""

from __future__ import annotations

import shutil

import pytest
import yaml

from tests.integration.ansible import REPO


@pytest.fixture
def inventory(tmp_path):
    """A copy of inventories/local whose group_vars a test may change."""
    target = tmp_path / "inventory"
    shutil.copytree(REPO / "inventories/local", target)
    path = target / "group_vars/local.yml"

    def edit(**changes):
        values = yaml.safe_load(path.read_text())
        for key, value in changes.items():
            if value is None:
                values.pop(key, None)
            else:
                values[key] = value
        path.write_text(yaml.safe_dump(values))
        return target

    edit.path = target
    return edit
