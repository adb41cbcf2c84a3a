"""How pytest spreads the tests over its workers (the emulator fixtures: emulator/pytest_plugin.py)."""

from __future__ import annotations

# Modules whose tests run on one worker, in file order: they share an expensive deployment.
SHARED_DEPLOYMENT_MODULES = {"tests/integration/test_dr_drill.py", "tests/integration/test_dr_drill_restore.py"}


def pytest_xdist_make_scheduler(config, log):
    """Like ``--dist load`` (any test on any free worker), except SHARED_DEPLOYMENT_MODULES: one unit each.

    xdist's own ``loadgroup`` would do this with ``xdist_group`` marks, but with pytest 9 its marks are
    ignored (it renames ``item._nodeid``, which pytest 9 no longer reads): grouped tests spread out.
    """
    from xdist.scheduler import LoadScopeScheduling

    class SharedDeploymentScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            module = nodeid.split("::", 1)[0]
            return module if module in SHARED_DEPLOYMENT_MODULES else nodeid

    return SharedDeploymentScheduling(config, log)
