"""Running ansible-playbook against the emulators, the way users run it."""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys

REPO = pathlib.Path(__file__).resolve().parents[2]
BIN = pathlib.Path(sys.executable).parent


def playbook(emulator, path: str | pathlib.Path, *args: str, check: bool = True, env: dict | None = None):
    """Run ansible-playbook with the emulator's environment; returns the CompletedProcess."""
    environment = {
        **os.environ,
        **emulator.env(),
        "ANSIBLE_CONFIG": str(REPO / "ansible.cfg"),
        "ANSIBLE_COLLECTIONS_PATH": str(REPO / ".build"),
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_FORCE_COLOR": "0",
        "PATH": f"{BIN}:{os.environ.get('PATH', '')}",
        **(env or {}),
    }
    result = subprocess.run(  # noqa: S603
        [str(BIN / "ansible-playbook"), str(path), *args],
        cwd=REPO,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    if check and result.returncode != 0:
        raise AssertionError(f"ansible-playbook failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result
