"""The custom domain's records and the comparison with what Route 53 holds."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.ai_model_registry.infra.plugins.filter.dns import (
    dns_record_mismatches,
    dns_record_names,
    dns_records,
)


def test_one_cname_per_endpoint_with_a_target_and_a_low_ttl():
    records = dns_records(
        "registry.internal.", {"postgresql": "g.global-1", "postgresql_reader": "", "redis": "r.cache"}
    )
    assert records == [
        {"record": "postgresql.registry.internal", "type": "CNAME", "ttl": 5, "value": "g.global-1"},
        {"record": "redis.registry.internal", "type": "CNAME", "ttl": 5, "value": "r.cache"},
    ]  # an empty target is not managed (failover.yml passes only the records it flips)


def test_unknown_endpoints_and_a_missing_domain_are_refused():
    with pytest.raises(AnsibleFilterError, match="unknown endpoint writer"):
        dns_records("registry.internal", {"writer": "x"})
    with pytest.raises(AnsibleFilterError, match="no domain"):
        dns_records("", {"postgresql": "x"})


def test_the_names_the_secrets_carry():
    assert dns_record_names("registry.internal") == {
        "host": "postgresql.registry.internal",
        "reader_host": "postgresql-reader.registry.internal",
        "redis_host": "redis.registry.internal",
    }


def _set(name, value, ttl=5, kind="CNAME"):
    return {"name": name, "type": kind, "ttl": ttl, "resource_records": [{"value": value}]}


def test_mismatches_name_what_route53_holds_otherwise():
    records = dns_records("registry.internal", {"postgresql": "g.global-1", "postgresql_reader": "c-ro", "redis": "r"})
    found = [
        _set("postgresql.registry.internal.", "g.global-1."),  # a trailing dot is the same name
        _set("postgresql-reader.registry.internal.", "c-ro", ttl=300),
        _set("redis.registry.internal.", "r", kind="A"),
        _set("registry.internal.", "ns-1.awsdns", kind="NS"),
    ]
    assert dns_record_mismatches(records, found) == [
        "postgresql-reader.registry.internal CNAME is c-ro (TTL 300), expected c-ro (TTL 5)",
        "redis.registry.internal CNAME is missing",
    ]
    assert dns_record_mismatches(records[:1], found) == []
