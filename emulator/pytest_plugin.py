"""pytest fixtures of the emulator (loaded with ``-p emulator.pytest_plugin``): its own tests and the
collection's use the same ones - one emulator pair per xdist worker, reset before each test (``aws``), and a second,
``kept_emulator``, for a state tests build once and share.

Test mode: the AWS emulator checks every answer against botocore's output shape of its operation
(emulator/aws/shapes.py); a test whose calls got an answer that breaks it fails with the operation and
the path of the bad member. ``EMULATOR_RESPONSE_SHAPES=0`` in pytest's environment turns it off. Every list the
emulator pages (emulator/aws/paging.py) comes one item a page to the collection's calls - its playbook runs, the
Lambda functions of its stacks (``EMULATOR_PAGE_SIZE``, default 1; 0: AWS's own page sizes) - so code of the
collection that reads only a first page fails its test.

Every AWS action the run called is recorded (the emulator's ``GET /_emulator/actions``, by caller: a playbook
run, a Lambda function, a test's own client), merged over the workers into ``.emulator/actions.json`` (what
``make fidelity`` reports on; ``make pytest`` starts it afresh, a run of some tests adds to it), and checked at
the end of the session: an action the collection called that the
fidelity report (docs/fidelity.md) does not list fails the run.
"""

from __future__ import annotations

import json
import os
import pathlib
import re
import shutil

import pytest

from emulator import launcher
from emulator.aws.control import COLLECTION_CALLERS, PAGE_SIZE_ENV
from emulator.aws.shapes import ENV as SHAPES_ENV

REPO = pathlib.Path(__file__).resolve().parents[1]
# What the response-shape check cost this pytest process's emulator (printed at the end of the run).
SHAPES_COST = {"checked": 0, "seconds": 0.0}
# The actions of the last pytest run (merged over its workers) and the report that must list them.
ACTIONS_FILE = REPO / ".emulator" / "actions.json"
FIDELITY_REPORT = REPO / "docs" / "fidelity.md"
# The session fixtures below whose answers a test's shape check covers.
EMULATORS = ("emulator", "kept_emulator")
_REPORT_ROW = re.compile(r"^\| `([a-z0-9-]+\.[A-Za-z0-9]+)` \|", re.MULTILINE)


def _actions_dir(config) -> pathlib.Path:
    """Where this run's workers leave their emulators' action records (the controller's choice under xdist)."""
    workerinput = getattr(config, "workerinput", None)
    if workerinput is not None:
        return pathlib.Path(workerinput["emulator_actions_dir"])
    if not hasattr(config, "_emulator_actions_dir"):
        config._emulator_actions_dir = REPO / ".emulator" / f"actions-{os.getpid()}"
    return config._emulator_actions_dir


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node):
    """xdist: every worker writes its record where the controller merges them."""
    node.workerinput["emulator_actions_dir"] = str(_actions_dir(node.config))


def _running(state_dir: pathlib.Path, config, record_name: str):
    """An emulator pair in test mode for the session; its action record is left for the controller at the end."""
    # The launcher passes pytest's environment to the servers (test mode): response shapes are checked, and every
    # list the emulator pages comes one item a page to the collection's calls, so its code that reads only a first
    # page fails its test (EMULATOR_PAGE_SIZE=0: AWS's own page sizes).
    defaults = {SHAPES_ENV: "1", PAGE_SIZE_ENV: "1"}
    previous = {name: os.environ.get(name) for name in defaults}
    for name, value in defaults.items():
        os.environ[name] = previous[name] if previous[name] is not None else value
    try:
        running = launcher.start(state_dir)
    finally:
        for name, value in previous.items():
            if value is None:
                del os.environ[name]
    yield running
    try:
        answer = running.post("aws", "/_emulator/violations", method="GET")
        SHAPES_COST["checked"] += answer["checked"]
        SHAPES_COST["seconds"] += answer["seconds"]
        record = running.post("aws", "/_emulator/actions", method="GET")
        folder = _actions_dir(config)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{record_name}.json").write_text(json.dumps(record))
    except Exception:  # noqa: BLE001, S110 - a dead emulator has no figures; its tests have failed already
        pass
    launcher.stop(state_dir)
    shutil.rmtree(state_dir, ignore_errors=True)


def _state_dir(worker_id: str, name: str = "") -> pathlib.Path:
    # One directory per run and worker: pytest runs side by side (two checkouts, two terminals) never
    # share, stop or reuse each other's servers.
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID", str(os.getpid()))[:12]
    return REPO / ".emulator" / f"pytest-{run}-{worker_id}{name}"


@pytest.fixture(scope="session")
def emulator(worker_id: str, pytestconfig):
    """The AWS and Kubernetes emulators, started once per xdist worker on free loopback ports."""
    yield from _running(_state_dir(worker_id), pytestconfig, worker_id)


@pytest.fixture(scope="session")
def kept_emulator(worker_id: str, pytestconfig):
    """A second emulator pair per worker, started when a test first asks for it, that the ``aws`` fixture never
    resets: for a state that tests build once and share (the collection's deployed platform), whatever other
    tests run on the worker in between."""
    yield from _running(_state_dir(worker_id, "-kept"), pytestconfig, f"{worker_id}-kept")


def _violations(emulator) -> list[dict]:
    """The emulator's answers since the last look that break their botocore output shape (cleared)."""
    return emulator.post("aws", "/_emulator/violations", method="DELETE")["violations"]


def _report(violations: list[dict]) -> str:
    lines = [f"  {v['operation']}: {v['path']}: {v['problem']}" for v in violations[:50]]
    more = f"\n  ... and {len(violations) - 50} more" if len(violations) > 50 else ""
    return (
        f"the AWS emulator sent {len(violations)} answer(s) that break botocore's output shape "
        "(emulator/aws/shapes.py; fix the emulator, or allow-list with a reason in shapes.ALLOWED):\n"
        + "\n".join(lines)
        + more
    )


@pytest.fixture(autouse=True)
def _response_shapes(request):
    """Around every test that uses the emulator: no violations left from before; those of the test's own
    setup and call fail it (``pytest_runtest_call``), those of its teardown error it here."""
    emulators = [request.getfixturevalue(name) for name in EMULATORS if name in request.fixturenames]
    for emulator in emulators:
        _violations(emulator)
    request.node._emulators = emulators
    yield
    found = [violation for emulator in emulators for violation in _violations(emulator)]
    if found:
        pytest.fail(_report(found), pytrace=False)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    result = yield
    found = [violation for emulator in getattr(item, "_emulators", []) for violation in _violations(emulator)]
    if found:
        pytest.fail(_report(found), pytrace=False)
    return result


@pytest.fixture
def aws(emulator):
    """The emulator with empty state: moto's reset plus our test controls."""
    emulator.reset()
    return emulator


@pytest.fixture
def client(aws):
    """``client("rds", "us-east-1")``: a boto3 client of the emulator, retries as botocore's default."""
    return aws.client


def pytest_terminal_summary(terminalreporter, config):
    missing = getattr(config, "_emulator_uncovered", None)
    if missing:
        terminalreporter.write_line(
            f"The collection called {len(missing)} AWS action(s) the fidelity report does not cover: "
            f"{', '.join(missing)}. Run `make fidelity` (it reads {ACTIONS_FILE.relative_to(REPO)}), model what is "
            "missing, and commit docs/fidelity.md.",
            red=True,
        )
    if SHAPES_COST["checked"]:
        terminalreporter.write_line(
            f"AWS emulator: {SHAPES_COST['checked']} answers checked against botocore's output shapes "
            f"in {SHAPES_COST['seconds']:.2f} s of the emulator's time"
        )


def merge_records(records: list[dict]) -> dict:
    """The action records of several emulators as one: calls by caller, answers checked, operations skipped."""
    merged: dict = {"actions": {}, "checked": {}, "skipped": {}}
    for record in records:
        for name, callers in record.get("actions", {}).items():
            into = merged["actions"].setdefault(name, {})
            for caller, count in callers.items():
                into[caller] = into.get(caller, 0) + count
        for name, count in record.get("checked", {}).items():
            merged["checked"][name] = merged["checked"].get(name, 0) + count
        merged["skipped"].update(record.get("skipped", {}))
    merged["actions"] = dict(sorted(merged["actions"].items()))
    merged["checked"] = dict(sorted(merged["checked"].items()))
    return merged


def uncovered(record: dict, report: str) -> list[str]:
    """The actions the collection called that the fidelity report does not list."""
    listed = set(_REPORT_ROW.findall(report))
    called = [name for name, callers in record["actions"].items() if any(c in callers for c in COLLECTION_CALLERS)]
    return sorted(name for name in called if name not in listed)


def pytest_sessionfinish(session, exitstatus):
    """The controller (or a run without xdist): merge the workers' records, check them against the report."""
    if hasattr(session.config, "workerinput"):
        return
    folder = _actions_dir(session.config)
    parts = sorted(folder.glob("*.json")) if folder.is_dir() else []
    if not parts:
        return
    record = merge_records([json.loads(part.read_text()) for part in parts])
    shutil.rmtree(folder, ignore_errors=True)
    missing = uncovered(record, FIDELITY_REPORT.read_text() if FIDELITY_REPORT.exists() else "")
    # A run of some tests adds to the record of the runs before it (make pytest starts it afresh).
    ACTIONS_FILE.parent.mkdir(parents=True, exist_ok=True)
    if ACTIONS_FILE.exists():
        try:
            record = merge_records([json.loads(ACTIONS_FILE.read_text()), record])
        except ValueError:
            pass
    partial = ACTIONS_FILE.with_suffix(f".{os.getpid()}.tmp")
    partial.write_text(json.dumps(record, indent=1) + "\n")
    os.replace(partial, ACTIONS_FILE)
    session.config._emulator_uncovered = missing
    if missing and session.exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
