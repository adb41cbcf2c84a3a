# -*- coding: utf-8 -*-
# Copyright: AI Model Registry Platform Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Time figures of the drills: AWS timestamps as seconds since the epoch."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime

from ansible.errors import AnsibleFilterError


def epoch_seconds(value):
    """Seconds since the epoch of an ISO 8601 time (with or without fraction, Z or an offset) or a datetime.

    A time without an offset is UTC, as AWS APIs answer. ``to_datetime`` needs one exact format,
    and AWS omits the fraction when it is zero.
    """
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, datetime.datetime):
        moment = value
    else:
        text = str(value).strip()
        if text.endswith("Z"):
            text = text[:-1] + "+00:00"
        try:
            moment = datetime.datetime.fromisoformat(text)
        except ValueError:
            raise AnsibleFilterError("not an ISO 8601 time: %r" % (value,)) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.timezone.utc)
    return moment.timestamp()


class FilterModule(object):
    def filters(self):
        return {"epoch_seconds": epoch_seconds}
