# -*- coding: utf-8 -*-

# Copyright (c) 2026 AI Model Registry platform team
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # The options the switch modules share (rds_global_cluster_failover, elasticache_global_datastore_failover;
    # their argument spec: global_cluster.SWITCH_ARGUMENTS). Each module documents its own lag metric
    # (max_lag_seconds) and what it waits for (wait, wait_timeout).
    DOCUMENTATION = r"""
options:
  mode:
    description:
      - C(switchover) (planned - the lag checked first, nothing lost) or C(failover) (unplanned, may lose data).
    type: str
    choices: [switchover, failover]
    default: switchover
  allow_data_loss:
    description:
      - Must be V(true) for O(mode=failover), to say explicitly that writes not yet replicated are lost.
      - Not allowed with O(mode=switchover).
    type: bool
    default: false
"""
