#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright (c) 2026 AI Model Registry platform team
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# The work is done by the action plugin of the same name (plugins/action/kubernetes_objects.py), on the
# controller; this file documents it for ansible-doc.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: kubernetes_objects
version_added: 1.1.0
short_description: Create, patch or delete Kubernetes objects - M(kubernetes.core.k8s) run on the controller
description:
  - M(kubernetes.core.k8s)'s own code - its argument spec and its runner from kubernetes.core's module_utils, the
    same comparison, apply, patch, delete, wait, check mode and diff - run in the controller's worker, as the
    collection's other modules are.
  - A task then starts no Python process of its own, with its AnsiballZ payload, kubernetes.core's module_utils
    compiled and the kubernetes library imported (about 1 s of CPU a task); the k8s_secrets role writes the
    application's Secrets, restarts its Deployments and deletes the Secrets with it.
  - Takes the options of M(kubernetes.core.k8s) documented here and returns what it returns; its other options
    (O(kubernetes.core.k8s#module:template), which its action plugin renders, C(validate), C(append_hash),
    C(generate_name), C(server_side_apply), C(delete_all), C(hidden_fields), C(label_selectors), and the
    credentials and connection settings not documented here) are refused before any call - use
    M(kubernetes.core.k8s) for them.
  - The cluster and the credentials are found as M(kubernetes.core.k8s) finds them - the options below, else the
    C(K8S_AUTH_*) environment variables (C(K8S_AUTH_KUBECONFIG), C(K8S_AUTH_CONTEXT), C(K8S_AUTH_HOST),
    C(K8S_AUTH_API_KEY), C(K8S_AUTH_VERIFY_SSL), C(K8S_AUTH_SSL_CA_CERT), C(K8S_AUTH_CERT_FILE), C(K8S_AUTH_KEY_FILE)),
    else C(KUBECONFIG) or C(~/.kube/config) and its current context - by the same code.
author:
  - AI Model Registry platform team (@ai-model-registry)
options:
  state:
    description:
      - C(present) creates an object that does not exist and patches one whose attributes differ; C(absent) deletes
        it; C(patched) applies the definition as a patch to an object that exists and skips one that does not.
    type: str
    default: present
    choices: [absent, present, patched]
  force:
    description: With O(state=present), replace an existing object instead of patching it.
    type: bool
    default: false
  apply:
    description: Compare and update with C(kubectl apply)'s logic (the last applied configuration annotation).
    type: bool
    default: false
  merge_type:
    description: The patch type instead of the strategic merge (C(merge) for custom resources).
    type: list
    elements: str
    choices: [merge, strategic-merge]
  continue_on_error:
    description: With several definitions, go on after one fails and report its error in its result.
    type: bool
    default: false
notes:
  - O(kubernetes.core.k8s#module:src) is read on the controller, relative to the working directory (not to a role's
    files).
extends_documentation_fragment:
  - kubernetes.core.k8s_name_options
  - kubernetes.core.k8s_resource_options
  - kubernetes.core.k8s_wait_options
  - kubernetes.core.k8s_delete_options
  - ai_model_registry.infra.kubernetes_auth
  - ai_model_registry.infra.controller
"""

EXAMPLES = r"""
- name: Write a namespace and a Secret in one call
  ai_model_registry.infra.kubernetes_objects:
    definition:
      - {apiVersion: v1, kind: Namespace, metadata: {name: model-registry}}
      - apiVersion: v1
        kind: Secret
        metadata: {name: postgresql-credentials, namespace: model-registry}
        stringData: {host: writer.example.com, port: "5432"}
  no_log: true
  register: written

- name: Delete it
  ai_model_registry.infra.kubernetes_objects:
    state: absent
    kind: Secret
    namespace: model-registry
    name: postgresql-credentials
"""

RETURN = r"""
result:
  description:
    - The object as the API returned it after the change (M(kubernetes.core.k8s)'s C(result)); with several
      definitions, C(results) - one C(changed), C(method) and C(result) per definition.
  returned: success
  type: dict
method:
  description: What was done to the object (C(create), C(update), C(patch), C(delete)); one definition only.
  returned: success, one definition
  type: str
diff:
  description: The object's difference, with C(--diff) (one definition).
  returned: with --diff, one definition
  type: dict
"""
