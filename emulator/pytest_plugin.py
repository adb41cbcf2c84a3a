"""pytest fixtures of the emulator (loaded with ``-p emulator.pytest_plugin``): its own tests and the
collection's use the same ones - one emulator pair per xdist worker, reset before each test."""

from __future__ import annotations

import os
import pathlib
import shutil

import pytest

from emulator import launcher

REPO = pathlib.Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def emulator(worker_id: str):
    """The AWS and Kubernetes emulators, started once per xdist worker on free loopback ports."""
    # One directory per run and worker: pytest runs side by side (two checkouts, two terminals) never
    # share, stop or reuse each other's servers.
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID", str(os.getpid()))[:12]
    state_dir = REPO / ".emulator" / f"pytest-{run}-{worker_id}"
    running = launcher.start(state_dir)
    yield running
    launcher.stop(state_dir)
    shutil.rmtree(state_dir, ignore_errors=True)


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
