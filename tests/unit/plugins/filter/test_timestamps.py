"""The epoch_seconds filter: AWS's time spellings, all to the same instant."""

from __future__ import annotations

import datetime
import importlib.util
import pathlib

import pytest
from ansible.errors import AnsibleFilterError

REPO = pathlib.Path(__file__).resolve().parents[4]
_spec = importlib.util.spec_from_file_location("timestamps", REPO / "plugins/filter/timestamps.py")
timestamps = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(timestamps)
INSTANT = datetime.datetime(2026, 11, 27, 3, 45, 12, tzinfo=datetime.UTC).timestamp()


@pytest.mark.parametrize(
    "value",
    [
        "2026-11-27T03:45:12+00:00",
        "2026-11-27T03:45:12Z",
        "2026-11-27T03:45:12.000000+00:00",
        "2026-11-27T04:45:12+01:00",
        "2026-11-27T03:45:12",  # no offset: UTC, as AWS answers
        datetime.datetime(2026, 11, 27, 3, 45, 12),
    ],
)
def test_every_spelling_is_the_same_instant(value):
    assert timestamps.epoch_seconds(value) == INSTANT


def test_the_fraction_is_kept():
    assert timestamps.epoch_seconds("2026-11-27T03:45:12.250+00:00") == INSTANT + 0.25


def test_a_number_passes_and_text_that_is_no_time_fails():
    assert timestamps.epoch_seconds(12.5) == 12.5
    with pytest.raises(AnsibleFilterError, match="not an ISO 8601 time"):
        timestamps.epoch_seconds("yesterday")
