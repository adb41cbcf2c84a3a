"""The custom domain's records and the names the Secrets carry."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.ai_model_registry.infra.plugins.filter.dns import (
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
