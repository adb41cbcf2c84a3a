# -*- coding: utf-8 -*-

# Copyright (c) 2026 AI Model Registry platform team
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # The connection options of the modules that use module_utils/postgresql.py (CONNECTION_ARGS).
    DOCUMENTATION = r"""
options:
  login_host:
    description: Host of the database.
    type: str
    required: true
  login_port:
    description: Port of the database.
    type: int
    default: 5432
  login_user:
    description: User to connect as.
    type: str
    required: true
  login_password:
    description: Password of O(login_user).
    type: str
    required: true
  login_db:
    description: Database name.
    type: str
    required: true
    aliases: [db]
  connect_timeout:
    description: Seconds to wait for a connection.
    type: int
    default: 10
requirements:
  - psycopg >= 3.1
"""
