"""to_epoch: every spelling of a time the drills meet, to seconds since the epoch; ValueError for anything else."""

from __future__ import annotations

import datetime

import pytest

from ansible_collections.ai_model_registry.infra.plugins.module_utils.times import to_epoch

INSTANT = datetime.datetime(2026, 11, 27, 3, 45, 12, tzinfo=datetime.UTC).timestamp()


@pytest.mark.parametrize(
    "value",
    [
        INSTANT,
        int(INSTANT),
        str(INSTANT),
        f" {INSTANT:.0f} ",
        "2026-11-27T03:45:12Z",
        "2026-11-27T04:45:12+01:00",
        "2026-11-27T03:45:12.000000+00:00",
        "2026-11-27T03:45:12",  # no offset: UTC
        datetime.datetime(2026, 11, 27, 3, 45, 12),
        datetime.datetime(2026, 11, 27, 4, 45, 12, tzinfo=datetime.timezone(datetime.timedelta(hours=1))),
    ],
)
def test_every_spelling_is_the_same_instant(value):
    assert to_epoch(value) == INSTANT


def test_without_numeric_text_a_text_is_iso_8601_only():
    assert to_epoch(12.5, numeric_text=False) == 12.5
    assert to_epoch("2026-11-27T03:45:12Z", numeric_text=False) == INSTANT
    with pytest.raises(ValueError):
        to_epoch(str(INSTANT), numeric_text=False)


@pytest.mark.parametrize("value", ["yesterday", "", None, "2026-13-01"])
def test_what_is_no_time_raises_value_error(value):
    with pytest.raises(ValueError):
        to_epoch(value)
