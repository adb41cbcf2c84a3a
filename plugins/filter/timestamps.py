# -*- coding: utf-8 -*-
# Copyright: AI Model Registry Platform Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Time figures of the drills: AWS timestamps as seconds since the epoch."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError

from ansible_collections.ai_model_registry.infra.plugins.module_utils.times import to_epoch


def epoch_seconds(value):
    """Seconds since the epoch of an ISO 8601 time (with or without fraction, Z or an offset) or a datetime.

    A time without an offset is UTC, as AWS APIs answer. ``to_datetime`` needs one exact format,
    and AWS omits the fraction when it is zero. A number passes; a text is read as ISO 8601 only.
    """
    try:
        return to_epoch(value, numeric_text=False)
    except ValueError:
        raise AnsibleFilterError("not an ISO 8601 time: %r" % (value,)) from None


class FilterModule(object):
    def filters(self):
        return {"epoch_seconds": epoch_seconds}
