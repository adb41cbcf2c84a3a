"""The awx role's filters: the drill schedules AWX would refuse, and each schedule's rule as AWX stores it."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
from dateutil import rrule

from ansible_collections.ai_model_registry.infra.plugins.filter import awx as f
from ansible_collections.ai_model_registry.infra.plugins.module_utils import platform_model

MONTHLY = {"every": "month", "rrule": "FREQ=MONTHLY;INTERVAL=1;BYDAY=TU;BYMONTHDAY=1,2,3,4,5,6,7;BYHOUR=10"}
JULY = {"name": "July freeze", "rrule": "FREQ=DAILY;INTERVAL=1;BYMONTH=7;BYMONTHDAY=1,2,3,4,5,6,7"}
ENVIRONMENTS = [{"name": "staging"}, {"name": "production"}]


def test_a_cadence_awx_takes_has_no_problem():
    assert f.awx_schedule_problems({"restore": MONTHLY}, [JULY], "20270105T100000", ENVIRONMENTS) == []
    # the platform's own drill cadence, the awx role's default
    assert f.awx_schedule_problems(platform_model.DRILL_CADENCE, [], "20270105T100000", ENVIRONMENTS) == []


@pytest.mark.parametrize(
    ("rrule_text", "problem"),
    [
        ("FREQ=MONTHLY;INTERVAL=1;BYDAY=1TU", "AWX takes no numeric BYDAY prefix (1TU)"),
        ("FREQ=MONTHLY;INTERVAL=1;BYDAY=MO,-1FR", "AWX takes no numeric BYDAY prefix (MO,-1FR)"),
        ("FREQ=SECONDLY;INTERVAL=1", "needs FREQ first, one of MINUTELY to YEARLY (not SECONDLY)"),
        ("INTERVAL=1;FREQ=MONTHLY", "needs FREQ first"),
        ("FREQ=MONTHLY;BYMONTHDAY=1", "needs an INTERVAL"),
        ("FREQ=MONTHLY;BYSETPOS=1;XINTERVAL=2", "needs an INTERVAL"),
        ("", "has no rrule"),
    ],
)
def test_each_rule_awx_refuses_is_named_with_its_place(rrule_text, problem):
    problems = f.awx_schedule_problems({"restore": {"every": "month", "rrule": rrule_text}}, [], "20270105T100000", [])
    assert len(problems) == 1 and problems[0].startswith("awx_dr_drill_cadence.restore") and problem in problems[0]


def test_blackout_windows_the_start_and_the_environments_are_checked_too():
    problems = f.awx_schedule_problems(
        {"restore": MONTHLY},
        [{"name": "freeze", "rrule": "FREQ=YEARLY;BYDAY=3MO"}],
        "2027-01-05 10:00",
        [*ENVIRONMENTS, {"name": "staging"}],
    )
    assert problems == [
        "awx_blackout_windows 'freeze': 'FREQ=YEARLY;BYDAY=3MO' needs an INTERVAL",
        "awx_blackout_windows 'freeze': 'FREQ=YEARLY;BYDAY=3MO' - AWX takes no numeric BYDAY prefix (3MO): write "
        "BYDAY=TU;BYMONTHDAY=1,2,3,4,5,6,7 for a first Tuesday",
        "awx_schedule_start '2027-01-05 10:00' needs the form YYYYMMDDTHHMMSS",
        "awx_environments names must be unique: staging more than once",
    ]


@pytest.mark.parametrize("cadence", [{}, None, ["FREQ=MONTHLY;INTERVAL=1"]])
def test_a_cadence_with_no_drill_is_refused(cadence):
    assert f.awx_schedule_problems(cadence, [], "20270105T100000", []) == [
        "awx_dr_drill_cadence needs at least one drill type with its rrule"
    ]


def test_the_rule_starts_in_its_timezone_and_skips_every_blackout_day():
    text = f.awx_drill_rrule(MONTHLY["rrule"], "20270105T100000", "UTC", [JULY])
    assert text == "DTSTART;TZID=UTC:20270105T100000 RRULE:" + MONTHLY["rrule"] + " EXRULE:" + JULY["rrule"]
    # as dateutil (AWX's parser) reads it: the first Tuesdays of 2027 at 10:00, July's skipped
    occurrences = rrule.rrulestr(text.replace(" RRULE:", "\nRRULE:").replace(" EXRULE:", "\nEXRULE:"), forceset=True)
    start = datetime.datetime(2027, 1, 1, tzinfo=zoneinfo.ZoneInfo("UTC"))
    found = occurrences.between(start, start.replace(year=2028), inc=True)
    assert [d.month for d in found] == [1, 2, 3, 4, 5, 6, 8, 9, 10, 11, 12]
    assert all(d.weekday() == 1 and d.day <= 7 and d.hour == 10 for d in found)
    assert f.awx_drill_rrule("FREQ=DAILY;INTERVAL=1", "20270105T100000", "Europe/Berlin") == (
        "DTSTART;TZID=Europe/Berlin:20270105T100000 RRULE:FREQ=DAILY;INTERVAL=1"
    )
