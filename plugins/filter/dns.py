# -*- coding: utf-8 -*-
# Copyright: AI Model Registry Platform Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The custom domain's records (``dns_records``) and how Route 53's answer differs from them
(``dns_record_mismatches``)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError

# The names under the environment's domain, per endpoint the applications use.
RECORD_NAMES = {"postgresql": "postgresql", "postgresql_reader": "postgresql-reader", "redis": "redis"}


def _fqdn(name):
    return name if name.endswith(".") else name + "."


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


def dns_record_mismatches(records, record_sets):
    """What Route 53 holds differently from ``records``: one sentence per record (empty: all as expected).

    ``record_sets``: the zone's record sets as ``amazon.aws.route53_info`` returns them (ListResourceRecordSets).
    """
    found = {}
    for record_set in record_sets or []:
        name = _fqdn(record_set.get("name") or record_set.get("Name") or "")
        found[(name, record_set.get("type") or record_set.get("Type"))] = record_set
    problems = []
    for record in records:
        record_set = found.get((_fqdn(record["record"]), record["type"]))
        if record_set is None:
            problems.append("%s %s is missing" % (record["record"], record["type"]))
            continue
        values = [
            r.get("value") or r.get("Value")
            for r in record_set.get("resource_records") or record_set.get("ResourceRecords") or []
        ]
        ttl = record_set.get("ttl", record_set.get("TTL"))
        if [v.rstrip(".") for v in values] != [record["value"].rstrip(".")] or int(ttl or -1) != record["ttl"]:
            problems.append(
                "%s %s is %s (TTL %s), expected %s (TTL %s)"
                % (record["record"], record["type"], ", ".join(values) or "empty", ttl, record["value"], record["ttl"])
            )
    return problems


class FilterModule(object):
    def filters(self):
        return {
            "dns_records": dns_records,
            "dns_record_names": dns_record_names,
            "dns_record_mismatches": dns_record_mismatches,
        }
