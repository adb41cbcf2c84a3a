# -*- coding: utf-8 -*-

# Copyright (c) 2026 AI Model Registry platform team
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The PostgreSQL connection of the collection's modules: its options, the psycopg driver and one connect().

The options are documented once, in the ``ai_model_registry.infra.postgresql`` doc fragment; a module
extends that fragment and its argument spec with ``CONNECTION_ARGS``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import traceback

from ansible.module_utils.basic import missing_required_lib

try:
    import psycopg
except ImportError:
    psycopg = None
    PSYCOPG_ERROR = traceback.format_exc()
else:
    PSYCOPG_ERROR = None

# The connection options (kubernetes.core args_common style); modules merge them: dict(CONNECTION_ARGS, ...).
CONNECTION_ARGS = {
    "login_host": {"type": "str", "required": True},
    "login_port": {"type": "int", "default": 5432},
    "login_user": {"type": "str", "required": True},
    "login_password": {"type": "str", "required": True, "no_log": True},
    "login_db": {"type": "str", "required": True, "aliases": ["db"]},
    "connect_timeout": {"type": "int", "default": 10},
}


def require_psycopg(module, **result):
    """Fail the module with reason ``missing_library`` (and ``result``) when psycopg is not installed."""
    if psycopg is None:
        module.fail_json(
            msg=missing_required_lib("psycopg"), exception=PSYCOPG_ERROR, reason="missing_library", **result
        )


def connect(params, timeout=None, host=None, port=None, **options):
    """An autocommit connection with the module's ``params`` (CONNECTION_ARGS).

    ``timeout`` replaces O(connect_timeout) when given; ``host`` and ``port`` replace O(login_host) and
    O(login_port) (another server with the same user and database); ``options`` go to ``psycopg.connect``.
    """
    return psycopg.connect(
        host=params["login_host"] if host is None else host,
        port=params["login_port"] if port is None else port,
        user=params["login_user"],
        password=params["login_password"],
        dbname=params["login_db"],
        connect_timeout=timeout or params["connect_timeout"],
        autocommit=True,
        **options,
    )
