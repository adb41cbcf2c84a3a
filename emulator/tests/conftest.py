"""Fixtures of the emulator's tests that use real Redis servers (emulator/aws/caches.py): test_caches.py,
test_cache_snapshots.py."""

from __future__ import annotations

import functools

import pytest

from emulator import tls
from emulator.aws.caches import command as caches_command

TOKEN = "a-long-enough-auth-token-0123456789"


@pytest.fixture
def caches(aws):
    """The emulator with ``caches: redis``: Redis replication groups created from now on get a real redis-server."""
    aws.post("aws", "/_emulator/config", {"caches": "redis", "redis_global_failover_seconds": 0.2})
    return aws


@pytest.fixture
def command(caches):
    """The emulator's RESP client over TLS, trusting the emulator's CA, with the AUTH token of the groups
    ``cache_group`` makes (``password=None``: without; ``ca=None``: a plain connection)."""
    return functools.partial(caches_command, ca=tls.files(caches.tls_dir).ca, password=TOKEN)


@pytest.fixture
def cache_group(client):
    """``cache_group(name, region="us-west-2", **extra)``: CreateReplicationGroup of two nodes, in-transit
    encryption and the AUTH token (a Global Datastore's secondary, with ``GlobalReplicationGroupId`` in ``extra``,
    takes the global datastore's); the (address, port) of its primary endpoint."""

    def create(name: str, region: str = "us-west-2", **extra) -> tuple[str, int]:
        if "GlobalReplicationGroupId" not in extra:
            extra = {"CacheNodeType": "cache.r6g.large", "TransitEncryptionEnabled": True, "AuthToken": TOKEN, **extra}
        group = client("elasticache", region).create_replication_group(
            ReplicationGroupId=name, ReplicationGroupDescription=name, NumCacheClusters=2, **extra
        )["ReplicationGroup"]
        endpoint = group["NodeGroups"][0]["PrimaryEndpoint"]
        return endpoint["Address"], endpoint["Port"]

    return create
