"""Running ansible-playbook against the emulators, the way users run it."""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys

from tests.integration.callback_plugins.registered_result import FACT
from tools import iam_policies

REPO = pathlib.Path(__file__).resolve().parents[2]
BIN = pathlib.Path(sys.executable).parent


def playbook(
    emulator, path: str | pathlib.Path, *args: str, check: bool = True, env: dict | None = None, module: str = ""
):
    """Run ansible-playbook with the emulator's environment; returns the CompletedProcess.

    Every AWS action the run called must be granted by its persona's IAM policy (tools/iam_policies.py; ``module``:
    the collection module a run_module playbook runs, which decides the persona).
    """
    environment = {
        **os.environ,
        **(emulator.env() if emulator else {}),
        "ANSIBLE_CONFIG": str(REPO / "ansible.cfg"),
        "ANSIBLE_COLLECTIONS_PATH": str(REPO / ".build"),
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_FORCE_COLOR": "0",
        "PATH": f"{BIN}:{os.environ.get('PATH', '')}",
        **(env or {}),
    }
    before = iam_policies.emulator_snapshot(emulator) if emulator else None
    result = subprocess.run(  # noqa: S603
        [str(BIN / "ansible-playbook"), str(path), *args],
        cwd=REPO,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    refusals = _iam_refusals(emulator, before, path, args, module)
    if check and result.returncode != 0:
        raise AssertionError(f"ansible-playbook failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    if refusals:
        raise AssertionError("\n".join(refusals))
    return result


def _iam_refusals(emulator, before, path, args, module: str) -> list[str]:
    """What AWS would refuse this run under least privilege: the actions the emulator answered it since ``before``,
    against the policy of the run's persona (two requests to the emulator a run)."""
    if emulator is None:
        return []
    label = " ".join([f"module {module}" if module else pathlib.Path(path).name, *args])
    actions = iam_policies.called_since(emulator, before)
    return iam_policies.check_run(iam_policies.persona_for(path, args, module or None), label, actions)


def _registered_result(path: pathlib.Path) -> dict:
    """The test callback that writes the registered result to ``path`` (callback_plugins/registered_result.py)."""
    return {
        "ANSIBLE_CALLBACK_PLUGINS": str(pathlib.Path(__file__).parent / "callback_plugins"),
        "ANSIBLE_CALLBACKS_ENABLED": "registered_result",
        "REGISTERED_RESULT_FILE": str(path),
    }


def local_playbook(emulator, book: pathlib.Path, *extra: str, **options):
    """A test's own playbook ``book`` on localhost, with this interpreter (``options``: playbook()'s)."""
    local = ("-i", "localhost,", "-e", "ansible_connection=local")
    interpreter = ("-e", "ansible_python_interpreter={{ ansible_playbook_python }}")
    return playbook(emulator, book, *local, *interpreter, *extra, **options)


def run_module(emulator, tmp_path: pathlib.Path, module: str, args: dict, *extra: str, env: dict | None = None):
    """Run one module of the collection by FQCN through ansible-playbook; returns (result, process).

    The task's registered result is written to a file (its to_json, by a test callback), so a test reads exactly
    what a playbook would see, failure or not.
    """
    (result,), process = run_modules(emulator, tmp_path, module, [args], *extra, env=env)
    return result, process


def run_modules(emulator, tmp_path: pathlib.Path, module: str, calls: list, *extra: str, env: dict | None = None):
    """``run_module`` for calls that follow each other with nothing between them: one task each, in one
    ansible-playbook run (its start is most of a small module's CPU); returns (results in order, process).

    A call is the module's arguments, or (arguments, task keywords), e.g. ``{"check_mode": True}``.
    """
    import yaml

    result_file = tmp_path / f"result-{len(list(tmp_path.glob('result-*.json')))}.json"
    book = tmp_path / "module.yml"
    tasks = []
    for index, call in enumerate(calls):
        args, keywords = call if isinstance(call, tuple) else (call, {})
        name = f"Run the module ({index + 1} of {len(calls)})" if len(calls) > 1 else "Run the module"
        task = {"name": name, f"ai_model_registry.infra.{module}": args, "register": f"outcome_{index}"}
        tasks.append({**task, "ignore_errors": True, **keywords})
    outcomes = "[" + ", ".join(f"outcome_{index}" for index in range(len(calls))) + "]"
    tasks.append({"name": "Keep the results", "ansible.builtin.set_fact": {FACT: "{{ " + outcomes + " | to_json }}"}})
    book.write_text(
        yaml.safe_dump(
            [{"name": f"Run {module}", "hosts": "localhost", "gather_facts": False, "tasks": tasks}], sort_keys=False
        )
    )
    process = local_playbook(
        emulator, book, *extra, check=False, env={**_registered_result(result_file), **(env or {})}, module=module
    )
    if not result_file.exists():
        raise AssertionError(f"the playbook did not run the module:\n{process.stdout}\n{process.stderr}")
    return json.loads(result_file.read_text()), process
