"""Fixtures shared by every test: one emulator pair per pytest worker, reset before each test."""

from __future__ import annotations

import pathlib

import pytest

from tests.emulator import launcher

REPO = pathlib.Path(__file__).resolve().parents[1]


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
