"""The fidelity report (docs/fidelity.md, tools/fidelity.py) against the code: every action the collection's
code names is listed, every list it reads that botocore can paginate is paged, every failure mode names tests
that exist. (The actions of a test run are checked against the report at the end of the run: pytest_plugin.py.)
"""

from __future__ import annotations

import pathlib
import re

import botocore.session
import pytest

from emulator import pytest_plugin
from emulator.aws import failure_modes, paging
from tools import fidelity

REPO = pathlib.Path(__file__).resolve().parents[2]


def test_every_action_the_code_names_is_in_the_report():
    listed = set(re.findall(r"^\| `([a-z0-9-]+\.[A-Za-z0-9]+)` \|", fidelity.REPORT.read_text(), re.M))
    assert set(fidelity.code_actions()) <= listed, "run make fidelity"


def test_every_list_the_collection_reads_that_botocore_pages_is_paged():
    session = botocore.session.get_session()
    paged = paging.paged_operations()
    listed = set(re.findall(r"^\| `([a-z0-9-]+\.[A-Za-z0-9]+)` \|", fidelity.REPORT.read_text(), re.M))
    for name in sorted(set(fidelity.code_actions()) | listed):
        service, action = name.split(".")
        model = session.get_service_model(service)
        try:
            session.get_paginator_model(service, model.api_version).get_paginator(action)
        except ValueError:
            continue
        assert name in paged, f"{name}: botocore pages it, emulator/aws/paging.py does not"


@pytest.mark.parametrize("mode", failure_modes.FAILURE_MODES, ids=lambda m: m.name[:40])
def test_every_failure_mode_names_its_page_and_tests_that_exist(mode):
    assert mode.doc.startswith("https://docs.aws.amazon.com/") or mode.doc.startswith("https://repost.aws/")
    for test in mode.tests:
        path, name = test.split("::")
        assert re.search(rf"^def {name}\(", (REPO / path).read_text(), re.M), test


def test_a_run_whose_collection_calls_an_unlisted_action_is_named():
    record = pytest_plugin.merge_records(
        [
            {"actions": {"sts.GetCallerIdentity": {"ansible": 1}, "s3.CreateBucket": {"test": 3}}},
            {"actions": {"ec2.DescribeImages": {"lambda": 2}}, "checked": {"ec2.DescribeImages": 2}},
        ]
    )
    report = "| `sts.GetCallerIdentity` | x |\n"
    assert pytest_plugin.uncovered(record, report) == ["ec2.DescribeImages"]  # a test's own calls do not count
