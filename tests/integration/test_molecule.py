"""Each role's molecule scenario (extensions/molecule/<role>): converge, idempotence, verify on the emulators."""

from __future__ import annotations

import os
import pathlib
import re
import subprocess
import sys

import pytest

from tests.integration.ansible import REPO

BIN = pathlib.Path(sys.executable).parent
SCENARIOS = sorted(p.name for p in (REPO / "extensions/molecule").iterdir() if (p / "molecule.yml").exists())


def test_every_role_has_a_scenario():
    # stack and preflight are exercised through the others. A drill and a failover are actions on a deployed
    # platform, not a state to converge: test_dr_drill.py and test_failover_playbook.py run them end to end,
    # the failover's re-run included (nothing changes). awx configures a controller, not AWS:
    # test_awx_configure.py converges it twice against the AWX stand-in and verifies every object. dns needs a
    # hosted zone the platform does not create: test_dns.py converges it on the emulator's Route 53 (written, a
    # re-run changes nothing, --check writes nothing, flipped) and reads every record back.
    roles = {p.name for p in (REPO / "roles").iterdir()} - {"stack", "preflight", "dr_drill", "failover", "awx", "dns"}
    assert roles <= set(SCENARIOS)


@pytest.mark.slow(seconds=30)
@pytest.mark.parametrize("scenario", SCENARIOS)
def test_scenario(aws, scenario):
    env = {
        **os.environ,
        **aws.env(),
        "ANSIBLE_CONFIG": str(REPO / "ansible.cfg"),
        "ANSIBLE_COLLECTIONS_PATH": str(REPO / ".build"),
        "PATH": f"{BIN}:{os.environ.get('PATH', '')}",
        "MOLECULE_NO_LOG": "false",
        "NO_COLOR": "1",
    }
    result = subprocess.run(  # noqa: S603 - molecule from our venv
        [str(BIN / "molecule"), "--base-config", "extensions/molecule/config.yml", "test", "-s", scenario],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-8000:] + result.stderr[-4000:]
    # converge, idempotence (a second converge with no change), verify: all three successful
    assert re.search(rf"^{scenario}\s+: actions=3\s+successful=3\s", result.stdout + result.stderr, re.M)
