# -*- coding: utf-8 -*-
# Copyright: AI Model Registry Platform Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The custom domain's records (``dns_records``) and the names the Secrets carry (``dns_record_names``); the
route53_records module writes and checks them."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError

# The names under the environment's domain, per endpoint the applications use.
RECORD_NAMES = {"postgresql": "postgresql", "postgresql_reader": "postgresql-reader", "redis": "redis"}


def dns_records(domain, targets, ttl=5):
    """One CNAME per endpoint of ``targets`` (``postgresql``, ``postgresql_reader``, ``redis``) that has a value.

    A target left empty is not managed here (failover.yml passes only the records that do not follow the writer
    by themselves). A low TTL, so a flipped record reaches the applications within seconds (Aurora's own endpoints
    use 5 s).
    """
    if not domain or not isinstance(domain, str):
        raise AnsibleFilterError("dns_records: no domain given")
    unknown = sorted(set(targets or {}) - set(RECORD_NAMES))
    if unknown:
        raise AnsibleFilterError(
            "dns_records: unknown endpoint %s (known: %s)" % (", ".join(unknown), ", ".join(RECORD_NAMES))
        )
    return [
        {"record": "%s.%s" % (RECORD_NAMES[key], domain.rstrip(".")), "type": "CNAME", "ttl": int(ttl), "value": value}
        for key, value in sorted((targets or {}).items())
        if value
    ]


def dns_record_names(domain):
    """The custom names the Secrets carry: ``host``, ``reader_host`` (PostgreSQL) and ``redis_host``."""
    base = domain.rstrip(".")
    return {
        "host": "%s.%s" % (RECORD_NAMES["postgresql"], base),
        "reader_host": "%s.%s" % (RECORD_NAMES["postgresql_reader"], base),
        "redis_host": "%s.%s" % (RECORD_NAMES["redis"], base),
    }


class FilterModule(object):
    def filters(self):
        return {
            "dns_records": dns_records,
            "dns_record_names": dns_record_names,
        }
