"""Installs every extension into moto before the server handles its first request."""

from __future__ import annotations

_installed = False


def install() -> None:
    global _installed
    if _installed:
        return
    # moto registers only direct subclasses of CloudFormationModel; ours come last, so they win.
    from moto.cloudformation import parsing

    from emulator.aws import (
        alarms,
        backup_api,
        backup_jobs,
        cache_snapshots,
        caches,
        cfn_engine,
        databases,
        drift,
        global_datastore,
        global_failover,
        lambda_runtime,
        log_groups,
        moto_fixes,
        paging,
        resource_schemas,
        resources,
        restore_testing,
        s3_bucket,
        service_metrics,
        speedups,
    )

    def get_model_list():
        return CloudFormationModel.__subclasses__() + resources.EmulatedResource.__subclasses__()

    from moto.core.common_models import CloudFormationModel

    parsing.get_model_list = get_model_list
    for cached in (parsing.get_model_map, parsing.get_name_type_map):
        cached.cache_clear()
    speedups.install()  # first: before any backend exists
    alarms.install()
    cfn_engine.install()
    drift.install()
    databases.install()
    backup_api.install()
    backup_jobs.install()
    restore_testing.install()  # after backup_jobs, whose restore jobs it starts
    global_failover.install()
    lambda_runtime.install()
    log_groups.install()
    moto_fixes.install()
    global_datastore.install()  # after moto_fixes, whose replication group deletion it guards
    caches.install()  # after global_datastore: a secondary has joined when its server starts
    cache_snapshots.install()  # after caches: a refused seed is refused before any server or group exists
    paging.install()  # after backup_jobs, whose list handler it pages
    s3_bucket.install()
    service_metrics.install()
    resource_schemas.install()  # last: every model is registered
    _installed = True
