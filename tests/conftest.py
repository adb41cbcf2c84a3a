"""Fixtures shared by every test: one emulator pair per pytest worker, reset before each test."""

from __future__ import annotations

import pathlib

import pytest

from tests.emulator import launcher

REPO = pathlib.Path(__file__).resolve().parents[1]
# Modules whose tests run on one worker, in file order: they share an expensive deployment.
SHARED_DEPLOYMENT_MODULES = {"tests/integration/test_dr_drill.py", "tests/integration/test_dr_drill_restore.py"}


def pytest_xdist_make_scheduler(config, log):
    """Like ``--dist load`` (any test on any free worker), except SHARED_DEPLOYMENT_MODULES: one unit each.

    xdist's own ``loadgroup`` would do this with ``xdist_group`` marks, but with pytest 9 its marks are
    ignored (it renames ``item._nodeid``, which pytest 9 no longer reads): grouped tests spread out.
    """
    from xdist.scheduler import LoadScopeScheduling

    class SharedDeploymentScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            module = nodeid.split("::", 1)[0]
            return module if module in SHARED_DEPLOYMENT_MODULES else nodeid

    return SharedDeploymentScheduling(config, log)


@pytest.fixture(scope="session")
def emulator(worker_id: str):
    """The AWS and Kubernetes emulators, started once per xdist worker on free loopback ports."""
    state_dir = REPO / ".emulator" / f"pytest-{worker_id}"
    launcher.stop(state_dir)  # never reuse a server that runs older emulator code
    running = launcher.start(state_dir)
    yield running
    launcher.stop(state_dir)


@pytest.fixture
def aws(emulator):
    """The emulator with empty state: moto's reset plus our test controls."""
    emulator.reset()
    emulator.platform_deployed = False  # what test_dr_drill's platform fixture deployed is gone
    return emulator


@pytest.fixture
def client(aws):
    """``client("rds", "us-east-1")``: a boto3 client of the emulator, retries as botocore's default."""
    return aws.client
