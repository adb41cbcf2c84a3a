# -*- coding: utf-8 -*-
# Copyright: AI Model Registry Platform Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The awx role's decisions: which drill schedules AWX would refuse, and each schedule's rule as AWX stores it."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

# AWX's schedule rules: FREQ first, and not SECONDLY (awx/main/models/schedules.py refuses both)
FREQ = re.compile(r"^FREQ=(MINUTELY|HOURLY|DAILY|WEEKLY|MONTHLY|YEARLY);")
INTERVAL = re.compile(r"(^|;)INTERVAL=[0-9]+(;|$)")
# a numeric prefix in BYDAY ("1TU": the first Tuesday), which AWX refuses
NUMBERED_BYDAY = re.compile(r"(^|;)BYDAY=([^;]*[0-9][^;]*)")
START = re.compile(r"^[0-9]{8}T[0-9]{6}$")


def _rrule_problems(where, rrule):
    if not isinstance(rrule, str) or not rrule:
        return ["%s has no rrule" % where]
    problems = []
    if not FREQ.match(rrule):
        problems.append("%s: %r needs FREQ first, one of MINUTELY to YEARLY (not SECONDLY)" % (where, rrule))
    if not INTERVAL.search(rrule):
        problems.append("%s: %r needs an INTERVAL" % (where, rrule))
    numbered = NUMBERED_BYDAY.search(rrule)
    if numbered:
        problems.append(
            "%s: %r - AWX takes no numeric BYDAY prefix (%s): write BYDAY=TU;BYMONTHDAY=1,2,3,4,5,6,7 for a first "
            "Tuesday" % (where, rrule, numbered.group(2))
        )
    return problems


def awx_schedule_problems(cadence, blackout_windows, schedule_start, environments):
    """Why AWX would refuse the drill schedules (or the environments), as sentences; empty when it takes them.

    ``cadence``: drill type -> ``{every, rrule}`` (``awx_dr_drill_cadence``); ``blackout_windows``: ``{name, rrule}``
    each; ``schedule_start``: ``YYYYMMDDTHHMMSS``; ``environments``: ``{name, ...}`` each, names unique.
    """
    problems = []
    if not isinstance(cadence, dict) or not cadence:
        problems.append("awx_dr_drill_cadence needs at least one drill type with its rrule")
    else:
        for kind, entry in sorted(cadence.items()):
            rrule = entry.get("rrule") if isinstance(entry, dict) else None
            problems.extend(_rrule_problems("awx_dr_drill_cadence.%s" % kind, rrule))
    for window in blackout_windows or []:
        name = window.get("name") if isinstance(window, dict) else None
        rrule = window.get("rrule") if isinstance(window, dict) else None
        problems.extend(_rrule_problems("awx_blackout_windows %r" % (name,), rrule))
    if not START.match(str(schedule_start)):
        problems.append("awx_schedule_start %r needs the form YYYYMMDDTHHMMSS" % (schedule_start,))
    names = [environment.get("name") for environment in environments or []]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        problems.append("awx_environments names must be unique: %s more than once" % ", ".join(repeated))
    return problems


def awx_drill_rrule(rrule, schedule_start, timezone, blackout_windows=None):
    """A drill schedule's rule as AWX stores it: its start in its timezone, the drill's RRULE, then each blackout
    window as an EXRULE, so AWX skips a drill whose day falls in one."""
    exrules = "".join(" EXRULE:%s" % window["rrule"] for window in blackout_windows or [])
    return "DTSTART;TZID=%s:%s RRULE:%s%s" % (timezone, schedule_start, rrule, exrules)


class FilterModule(object):
    def filters(self):
        return {"awx_schedule_problems": awx_schedule_problems, "awx_drill_rrule": awx_drill_rrule}
