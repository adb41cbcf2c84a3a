"""pytest fixtures of the emulator (loaded with ``-p emulator.pytest_plugin``): its own tests and the
collection's use the same ones - one emulator pair per xdist worker, reset before each test.

Test mode: the AWS emulator checks every answer against botocore's output shape of its operation
(emulator/aws/shapes.py); a test whose calls got an answer that breaks it fails with the operation and
the path of the bad member. ``EMULATOR_RESPONSE_SHAPES=0`` in pytest's environment turns it off.
"""

from __future__ import annotations

import os
import pathlib
import shutil

import pytest

from emulator import launcher
from emulator.aws.shapes import ENV as SHAPES_ENV

REPO = pathlib.Path(__file__).resolve().parents[1]
# What the response-shape check cost this pytest process's emulator (printed at the end of the run).
SHAPES_COST = {"checked": 0, "seconds": 0.0}


@pytest.fixture(scope="session")
def emulator(worker_id: str):
    """The AWS and Kubernetes emulators, started once per xdist worker on free loopback ports."""
    # One directory per run and worker: pytest runs side by side (two checkouts, two terminals) never
    # share, stop or reuse each other's servers.
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID", str(os.getpid()))[:12]
    state_dir = REPO / ".emulator" / f"pytest-{run}-{worker_id}"
    # The launcher passes pytest's environment to the servers: response shapes are checked (test mode).
    previous = os.environ.get(SHAPES_ENV)
    os.environ[SHAPES_ENV] = previous if previous is not None else "1"
    try:
        running = launcher.start(state_dir)
    finally:
        if previous is None:
            del os.environ[SHAPES_ENV]
    yield running
    try:
        answer = running.post("aws", "/_emulator/violations", method="GET")
        SHAPES_COST["checked"] += answer["checked"]
        SHAPES_COST["seconds"] += answer["seconds"]
    except Exception:  # noqa: BLE001, S110 - a dead emulator has no figures; its tests have failed already
        pass
    launcher.stop(state_dir)
    shutil.rmtree(state_dir, ignore_errors=True)


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
    if "emulator" not in request.fixturenames:
        yield
        return
    emulator = request.getfixturevalue("emulator")
    _violations(emulator)
    request.node._emulator = emulator
    yield
    found = _violations(emulator)
    if found:
        pytest.fail(_report(found), pytrace=False)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    result = yield
    emulator = getattr(item, "_emulator", None)
    if emulator is not None:
        found = _violations(emulator)
        if found:
            pytest.fail(_report(found), pytrace=False)
    return result


@pytest.fixture
def aws(emulator):
    """The emulator with empty state: moto's reset plus our test controls."""
    emulator.reset()
    emulator.platform_deployed = False  # a platform a test deployed on this worker is gone
    return emulator


@pytest.fixture
def client(aws):
    """``client("rds", "us-east-1")``: a boto3 client of the emulator, retries as botocore's default."""
    return aws.client


def pytest_terminal_summary(terminalreporter):
    if SHAPES_COST["checked"]:
        terminalreporter.write_line(
            f"AWS emulator: {SHAPES_COST['checked']} answers checked against botocore's output shapes "
            f"in {SHAPES_COST['seconds']:.2f} s of the emulator's time"
        )
