"""pytest settings shared by every test directory (tests/unit, tests/integration, emulator/tests)."""

from __future__ import annotations

import pathlib

import pytest

# The unit tests of plugins/: the only tests that run its code in pytest's processes.
PLUGIN_UNIT_TESTS = pathlib.Path(__file__).resolve().parent / "tests" / "unit" / "plugins"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item, nextitem):
    """Branch coverage (make pytest's --cov) is traced in the unit tests of plugins/ only.

    It measures plugins/, which only those tests run in pytest's processes: the end-to-end tests run the plugins in
    ansible-playbook's processes, which are not traced, and the unit tests of tools/ do not import them. Under
    coverage's tracer (sys.settrace on Python 3.11) every line of Python in the process costs about twice as much:
    the tests' own clients, the AWX stand-in, the emulator's checks. Paused for every other test's setup, call and
    teardown, and resumed after.
    """
    plugin = item.config.pluginmanager.getplugin("_cov")
    controller = getattr(plugin, "cov_controller", None)
    if controller is None or not controller.started or item.path.is_relative_to(PLUGIN_UNIT_TESTS):
        return (yield)
    controller.pause()
    try:
        return (yield)
    finally:
        controller.resume()
