# -*- coding: utf-8 -*-

# Copyright (c) 2026 AI Model Registry platform team
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Times as seconds since the epoch, from the spellings AWS and the drills use. Pure: no Ansible import.

Shared by the ``epoch_seconds`` and ``dr_drill`` filters and the ``postgresql_data_checks`` module; each
turns the ValueError of a value that is no time into its own error.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime


def to_epoch(value, numeric_text=True):
    """Seconds since the epoch of a number, a datetime or an ISO 8601 time (with or without fraction, Z or an offset).

    A time without an offset is UTC, as AWS APIs answer (``to_datetime`` needs one exact format, and AWS
    omits the fraction when it is zero). With ``numeric_text`` a text that is a number (``"1700000000.5"``)
    is seconds since the epoch; without it, such a text is read as ISO 8601 only.
    Raises ValueError for anything else.
    """
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, datetime.datetime):
        moment = value
    else:
        text = str(value).strip()
        if numeric_text:
            try:
                return float(text)
            except ValueError:
                pass
        if text.endswith("Z"):
            text = text[:-1] + "+00:00"
        moment = datetime.datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.timezone.utc)
    return moment.timestamp()
