#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright (c) 2026 AI Model Registry platform team
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# The work is done by the action plugin of the same name (plugins/action/kubernetes_objects_info.py), on the
# controller; this file documents it for ansible-doc.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: kubernetes_objects_info
version_added: 1.1.0
short_description: Read Kubernetes objects - M(kubernetes.core.k8s_info) run on the controller
description:
  - M(kubernetes.core.k8s_info)'s own code - its argument spec and its reading from kubernetes.core's module_utils -
    run in the controller's worker, as the collection's other modules are, without a Python process of its own
    (about 1 s of CPU a task). The failover role reads back the Secrets the application reads with it.
  - Takes the options of M(kubernetes.core.k8s_info) documented here and returns what it returns; its waiting and
    C(hidden_fields), and the credentials and connection settings not documented here, are refused before any call -
    use M(kubernetes.core.k8s_info) for them.
  - The cluster and the credentials are found as kubernetes.core finds them - the options below, else the
    C(K8S_AUTH_*) environment variables, else C(KUBECONFIG) or C(~/.kube/config) and its current context.
author:
  - AI Model Registry platform team (@ai-model-registry)
options:
  kind:
    description: The objects' kind.
    type: str
    required: true
  api_version:
    description: The objects' API group and version.
    type: str
    default: v1
    aliases: [api, version]
  name:
    description: One object's name.
    type: str
  namespace:
    description: The namespace to read in.
    type: str
  label_selectors:
    description: Label selectors the objects must match (C(key=value)).
    type: list
    elements: str
    default: []
  field_selectors:
    description: Field selectors the objects must match (C(status.phase=Running)).
    type: list
    elements: str
    default: []
extends_documentation_fragment:
  - ai_model_registry.infra.kubernetes_auth
  - ai_model_registry.infra.controller
"""

EXAMPLES = r"""
- name: Read the Secrets the collection wrote in a namespace
  ai_model_registry.infra.kubernetes_objects_info:
    kind: Secret
    namespace: model-registry
    label_selectors: [app.kubernetes.io/managed-by=ai_model_registry.infra]
  no_log: true
  register: secrets
"""

RETURN = r"""
resources:
  description: The objects found, as the API returns them.
  returned: success
  type: list
  elements: dict
api_found:
  description: Whether the API of O(kind) was found on the cluster.
  returned: success
  type: bool
"""
