# -*- coding: utf-8 -*-
# Copyright (c) 2026 AI Model Registry platform team
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of ai_model_registry.infra.kubernetes_objects_info: kubernetes.core.k8s_info's argument spec and
code, run in the controller's worker (plugin_utils/kubernetes_core.py); its documentation is
plugins/modules/kubernetes_objects_info.py."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.ai_model_registry.infra.plugins.plugin_utils.kubernetes_core import (
    KubernetesCoreAction,
    failing_as_kubernetes_core,
)

try:
    from ansible_collections.kubernetes.core.plugins.module_utils.k8s.client import get_api_client
    from ansible_collections.kubernetes.core.plugins.module_utils.k8s.service import K8sService
    from ansible_collections.kubernetes.core.plugins.modules import k8s_info
except ImportError:  # said when a task runs (KubernetesCoreAction.module)
    k8s_info = None


def read(module):
    """k8s_info's main(): a client, its service, and the module's reading."""
    k8s_info.execute_module(module, K8sService(get_api_client(module), module))


class ActionModule(KubernetesCoreAction):
    KUBERNETES_CORE = "kubernetes.core.k8s_info"
    NOT_TAKEN = ("wait", "wait_sleep", "wait_timeout", "wait_condition", "hidden_fields")
    main = staticmethod(failing_as_kubernetes_core(read))

    @staticmethod
    def argspec():
        return k8s_info.argspec()
