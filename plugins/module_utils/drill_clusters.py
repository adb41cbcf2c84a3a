# -*- coding: utf-8 -*-

# Copyright (c) 2026 AI Model Registry platform team
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Which Aurora clusters DR drills restored: the rule of the dr_drill_temporary_clusters module (which deletes them)
and of the dr_drill_leftovers filter."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re


def restored_by_a_drill(identifier, tags, tag_key, environment, prefix):
    """Tagged by a drill of this environment (``tag_key`` and ``Environment``), or named ``<prefix><8 hex>``: an
    interrupted drill may not have tagged its cluster yet."""
    tags = tags or {}
    if tag_key in tags and tags.get("Environment") == environment:
        return True
    return re.match("^%s[0-9a-f]{8}$" % re.escape(prefix), identifier) is not None
