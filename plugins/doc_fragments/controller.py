# -*- coding: utf-8 -*-

# Copyright (c) 2026 AI Model Registry platform team
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # The modules whose work an action plugin of the same name does (plugin_utils/controller_module.py).
    DOCUMENTATION = r"""
attributes:
  action:
    support: full
    description: The work is done by an action plugin of the same name, on the controller.
notes:
  - Runs on the controller, in the task's worker (an action plugin of the same name), whatever host the task targets.
    Its Python libraries are the controller's, and so are the credentials and the environment variables its options
    fall back to (with the task's C(environment)).
"""
