# -*- coding: utf-8 -*-

# Copyright (c) 2026 AI Model Registry platform team
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""A Redis connection as the application makes it: the endpoint, port and AUTH token of its ``redis-credentials``
Secret, over TLS (the templates enable ElastiCache's in-transit encryption, which then accepts TLS only).

The server's certificate is verified against the CAs the machine trusts (ElastiCache's are public ones); its host
name is not, as a custom domain's CNAME is not in ElastiCache's certificate.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import traceback

from ansible.module_utils.basic import missing_required_lib

try:
    import redis
except ImportError:
    redis = None
    REDIS_ERROR = traceback.format_exc()
    ERRORS = (OSError,)
else:
    REDIS_ERROR = None
    ERRORS = (redis.RedisError, OSError)  # the connection's errors, a replica's READONLY among them


def require_redis(module, **result):
    """Fail the module with reason ``missing_library`` (and ``result``) when redis-py is not installed."""
    if redis is None:
        module.fail_json(msg=missing_required_lib("redis"), exception=REDIS_ERROR, reason="missing_library", **result)


def connect(params, timeout=None):
    """A client of ``params``' O(login_host), O(login_port), O(login_password) and O(tls); ``timeout`` replaces
    O(connect_timeout) for connecting and for each command."""
    seconds = timeout or params["connect_timeout"]
    options = {"ssl": True, "ssl_cert_reqs": "required", "ssl_check_hostname": False} if params["tls"] else {}
    return redis.Redis(
        host=params["login_host"],
        port=params["login_port"],
        password=params.get("login_password") or None,
        socket_connect_timeout=seconds,
        socket_timeout=seconds,
        decode_responses=True,
        **options,
    )
