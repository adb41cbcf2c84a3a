# -*- coding: utf-8 -*-
# Copyright (c) 2026 AI Model Registry platform team
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of ai_model_registry.infra.kubernetes_objects: kubernetes.core.k8s's own code - its argument spec
and its runner, from kubernetes.core's module_utils - run in the controller's worker instead of a Python process of
its own (about 1 s of CPU a task: AnsiballZ, compiling kubernetes.core's module_utils, importing the kubernetes
library); its documentation is plugins/modules/kubernetes_objects.py."""

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
    from ansible_collections.kubernetes.core.plugins.module_utils.k8s.runner import run_module
    from ansible_collections.kubernetes.core.plugins.modules import k8s as k8s_module
except ImportError:  # kubernetes.core or the kubernetes library missing: said when a task runs
    AnsibleK8SModule = None

# kubernetes.core.k8s's options this module does not take: ``template`` is its action plugin's work; the others are
# left out of the documented surface (use kubernetes.core.k8s for them).
NOT_TAKEN = (
    "template",
    "validate",
    "append_hash",
    "generate_name",
    "server_side_apply",
    "delete_all",
    "all",
    "hidden_fields",
    "label_selectors",
    # credentials and connection settings beyond the documented ones (KUBECONFIG or K8S_AUTH_* serve the rest)
    "username",
    "password",
    "proxy",
    "no_proxy",
    "proxy_headers",
    "persist_config",
    "impersonate_user",
    "impersonate_groups",
)

# As kubernetes.core.k8s declares them (its main()).
MUTUALLY_EXCLUSIVE = [
    ("resource_definition", "src"),
    ("merge_type", "apply"),
    ("template", "resource_definition"),
    ("template", "src"),
    ("name", "generate_name"),
]


def main(module):
    try:
        run_module(module)
    except CoreException as e:
        module.fail_from_exception(e)


class ActionModule(ControllerModuleAction):
    main = staticmethod(main)

    def module(self, name):
        """kubernetes.core's AnsibleK8SModule over a ControllerModule of the task's arguments, with k8s's spec."""
        if AnsibleK8SModule is None:
            return ControllerModule(name, {}, argument_spec={}).fail_json(
                msg="%s needs the kubernetes.core collection and the kubernetes Python library on the controller" % name
            )
        refused = sorted(set(self._task.args) & set(NOT_TAKEN))
        if refused:
            return ControllerModule(name, {}, argument_spec={}).fail_json(
                msg="%s does not take %s: use kubernetes.core.k8s for them" % (name, ", ".join(refused))
            )
        controller = functools.partial(
            ControllerModule, name, self._task.args, check_mode=self._task.check_mode, diff=self._task.diff
        )
        return AnsibleK8SModule(
            module_class=controller,
            argument_spec=k8s_module.argspec(),
            mutually_exclusive=MUTUALLY_EXCLUSIVE,
            supports_check_mode=True,
        )
