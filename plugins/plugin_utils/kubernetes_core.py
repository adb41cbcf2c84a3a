# -*- coding: utf-8 -*-
# Copyright (c) 2026 AI Model Registry platform team
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""kubernetes.core's modules run in the controller's worker: their own argument spec and code (kubernetes.core's
module_utils) over a ControllerModule, instead of a Python process a task (about 1 s of CPU: AnsiballZ, compiling
kubernetes.core's module_utils, importing the kubernetes library). kubernetes_objects is k8s, kubernetes_objects_info
is k8s_info."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import functools

from ansible_collections.ai_model_registry.infra.plugins.plugin_utils.controller_module import (
    ControllerModule,
    ControllerModuleAction,
)

# Imported where ansible-playbook imports the action plugins, so every task's worker (a fork) inherits the
# kubernetes library loaded.
try:
    from ansible_collections.kubernetes.core.plugins.module_utils.k8s.core import AnsibleK8SModule
    from ansible_collections.kubernetes.core.plugins.module_utils.k8s.exceptions import CoreException
except ImportError:  # kubernetes.core or the kubernetes library missing: said when a task runs
    AnsibleK8SModule = CoreException = None

# The credentials and connection settings the modules do not document (KUBECONFIG or K8S_AUTH_* serve the rest).
AUTH_NOT_TAKEN = (
    "username",
    "password",
    "proxy",
    "no_proxy",
    "proxy_headers",
    "persist_config",
    "impersonate_user",
    "impersonate_groups",
)


class KubernetesCoreAction(ControllerModuleAction):
    """A subclass sets ``KUBERNETES_CORE`` (the module it runs), ``argspec()`` (that module's), ``MUTUALLY_EXCLUSIVE``,
    ``NOT_TAKEN`` (options of that module it refuses before any call) and ``main(module)``."""

    KUBERNETES_CORE = None
    MUTUALLY_EXCLUSIVE = ()
    NOT_TAKEN = ()

    @staticmethod
    def argspec():
        raise NotImplementedError

    def module(self, name):
        """kubernetes.core's AnsibleK8SModule over a ControllerModule of the task's arguments."""
        if AnsibleK8SModule is None:
            return ControllerModule(name, {}, argument_spec={}).fail_json(
                msg="%s needs the kubernetes.core collection and the kubernetes Python library on the controller" % name
            )
        refused = sorted(set(self._task.args) & set(self.NOT_TAKEN + AUTH_NOT_TAKEN))
        if refused:
            return ControllerModule(name, {}, argument_spec={}).fail_json(
                msg="%s does not take %s: use %s for them" % (name, ", ".join(refused), self.KUBERNETES_CORE)
            )
        controller = functools.partial(
            ControllerModule, name, self._task.args, check_mode=self._task.check_mode, diff=self._task.diff
        )
        return AnsibleK8SModule(
            module_class=controller,
            argument_spec=self.argspec(),
            mutually_exclusive=self.MUTUALLY_EXCLUSIVE,
            supports_check_mode=True,
        )


def failing_as_kubernetes_core(run):
    """``run(module)`` with kubernetes.core's failure: its CoreException as its modules report it."""

    def main(module):
        try:
            run(module)
        except CoreException as e:
            module.fail_from_exception(e)

    return main
