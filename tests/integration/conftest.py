"""Fixtures of the integration tests."""

from __future__ import annotations

import itertools
import json
import shutil
import subprocess
import urllib.request

import pytest
import yaml

from emulator import awx as awx_stand_in
from tests.integration.ansible import REPO, playbook
from tests.integration.drills import BASELINE

# A test marked slow without its seconds weighs this much in the schedule below.
SLOW_SECONDS = 20
# Deploying the shared platform (the platform fixture) on a worker's kept emulator, in the same measure.
PLATFORM_SECONDS = 50


FAILED = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """A test's failure in its call, for its fixtures' teardown (``platform``)."""
    report = yield
    if report.when == "call" and report.failed:
        item.stash[FAILED] = True
    return report


def pytest_collection_modifyitems(config, items):
    """Each xdist worker starts with its share of the long end-to-end tests, so the workers end together.

    pytest-xdist's worksteal scheduler hands each worker a contiguous slice of the collection and lets idle
    workers take the tail of a busy worker's slice. In file order one worker would start with all the long
    tests and run them one after another at the end; here the ``slow`` tests are dealt out longest first
    (by their ``seconds``: wall time measured on a two-core machine) to the least loaded worker, and each
    worker's slice starts with its deal. The tests on the shared deployed platform (the ``platform`` fixture) are
    dealt as one, to one worker: each worker that runs one deploys the platform on its kept emulator first (about
    25 s of CPU). Identical in every worker, as xdist requires.
    """
    workers = getattr(config, "workerinput", {}).get("workercount", 1)
    if workers < 2:
        return

    def seconds(item):
        marker = item.get_closest_marker("slow")
        return marker.kwargs.get("seconds", SLOW_SECONDS) if marker else 0

    # longest first, as the other deals
    on_platform = sorted(
        (item for item in items if "platform" in getattr(item, "fixturenames", ())), key=seconds, reverse=True
    )
    # (weight, tests dealt together)
    units = [(seconds(item), [item]) for item in items if seconds(item) and item not in on_platform]
    if on_platform:
        units.append((sum(map(seconds, on_platform)) + PLATFORM_SECONDS, on_platform))
    deals, loads = [[] for worker in range(workers)], [0] * workers
    for weight, unit in sorted(units, key=lambda unit: unit[0], reverse=True):
        least = loads.index(min(loads))
        deals[least] += unit
        loads[least] += weight
    dealt = {id(item) for deal in deals for item in deal}
    rest = iter([item for item in items if id(item) not in dealt])
    ordered, remaining = [], len(items)
    for index, deal in enumerate(deals):  # the slice sizes of xdist's worksteal: pending // workers left
        size = remaining // (workers - index)
        ordered += deal + list(itertools.islice(rest, max(0, size - len(deal))))
        remaining -= size
    items[:] = ordered + list(rest)


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


@pytest.fixture(scope="session")
def awx_server(tmp_path_factory):
    """The AWX API stand-in (emulator/awx.py), one per pytest worker, on a free loopback port."""
    server = awx_stand_in.serve(workdir=tmp_path_factory.mktemp("awx-checkouts"))
    yield server
    server.shutdown()


@pytest.fixture(scope="session")
def awx_project(tmp_path_factory):
    """A Git repository with this checkout's playbooks and inventories, as AWX's project would clone it."""
    repo = tmp_path_factory.mktemp("awx-project")
    for part in ("playbooks", "inventories"):
        shutil.copytree(REPO / part, repo / part)
    git = ["git", "-C", str(repo), "-c", "user.name=tests", "-c", "user.email=tests@example.com"]
    subprocess.run([*git, "init", "--quiet", "--initial-branch", "main"], check=True)  # noqa: S603
    subprocess.run([*git, "add", "."], check=True)  # noqa: S603
    subprocess.run([*git, "commit", "--quiet", "-m", "project"], check=True)  # noqa: S603
    return repo


@pytest.fixture
def awx(awx_server):
    """The stand-in emptied, and the environment the awx.awx modules read it from."""
    base = f"http://127.0.0.1:{awx_server.server_address[1]}"

    def call(path: str, method: str = "GET"):
        request = urllib.request.Request(base + path, method=method)  # noqa: S310 - the local stand-in
        with urllib.request.urlopen(request) as answer:  # noqa: S310
            return json.loads(answer.read() or b"{}")

    call("/_emulator/reset", "POST")
    call.url = base
    call.env = {
        "CONTROLLER_HOST": base,
        "CONTROLLER_USERNAME": "admin",
        "CONTROLLER_PASSWORD": "awx-stand-in-password",
        "CONTROLLER_VERIFY_SSL": "false",
        # The stand-in speaks plain HTTP, but ansible's open_url loads the system CA bundle for each request all the
        # same (ssl.create_default_context, ~50 ms here): half the CPU of every awx.awx module run. No CA is needed.
        "SSL_CERT_FILE": "/dev/null",
    }
    return call


@pytest.fixture
def platform(kept_emulator, request):
    """site.yml with real databases behind the Aurora endpoints and real caches behind Redis's, deployed once per
    worker on its kept emulator (no other test resets it) for the drills that follow each other; deployed again after
    a test that used it failed (it may have left it half-changed)."""
    if not getattr(kept_emulator, "platform_deployed", False):
        kept_emulator.reset()
        kept_emulator.post("aws", "/_emulator/config", {"databases": "postgresql", "caches": "redis"})
        playbook(kept_emulator, "playbooks/site.yml", "-i", "inventories/local")
        kept_emulator.platform_deployed = True
    yield kept_emulator
    if request.node.stash.get(FAILED, False):
        kept_emulator.platform_deployed = False


@pytest.fixture
def deployed(platform):
    """The shared platform with the emulator's default timings and an empty request log."""
    platform.post("aws", "/_emulator/config", BASELINE)
    platform.post("aws", "/_emulator/requests", method="DELETE")
    return platform
