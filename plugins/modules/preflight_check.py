#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright (c) 2026 AI Model Registry platform team
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# The work is done by the action plugin of the same name (plugins/action/preflight_check.py), on the
# controller; this file documents it for ansible-doc.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: preflight_check
version_added: 1.0.0
short_description: Refuse every bad input, and a run against the wrong account or cluster, before the first write
description:
  - The one check at the start of every playbook of the collection that writes (the C(preflight) role calls it).
    It makes no change; a refusal lists every problem found, each naming the variable or the resource, with what
    it must be and what it got (with its type).
  - "Inputs, with no call at all: the argument specs of every role entry point the run uses (O(roles)), validated
    together up front with the values the run will pass them (the run's variables over the roles' own defaults;
    values computed from stack outputs are checked when their role runs); numeric durations and counts must be
    positive; variables with a role's prefix that no role or playbook declares (typos, with the nearest known
    name); the environment's relations (two subnets, two regions, names AWS accepts); the parameters of every
    stack the run deploys against the template's own constraints (AllowedValues, MinValue/MaxValue,
    AllowedPattern, MinLength/MaxLength); the failover's and the drill's own requests."
  - Then the binding, before any AWS call - the current Kubernetes context and API server against
    O(kubernetes_context) and O(kubernetes_server), and that the API answers (C(GET /version)).
  - Then read-only AWS calls - C(sts:GetCallerIdentity)'s account against O(account_id); C(ec2:DescribeRegions)
    for every region of the run; C(ec2:DescribeVpcs) and C(ec2:DescribeSubnets) for every VPC and subnet list a
    stack parameter takes (the subnets in that VPC, in at least two Availability Zones); C(ssm:GetParameter) of
    the drill lock with O(drill_lock) (held by another drill and not expired is refused).
author:
  - AI Model Registry platform team (@ai-model-registry)
options:
  roles:
    description:
      - The role entry points the run uses, as C(role) or C(role:entry) (C(aurora), C(backup:plan),
        C(k8s_secrets:teardown)); each is validated against its C(meta/argument_specs.yml), and the stacks its tasks
        deploy against their templates.
    type: list
    elements: str
    required: true
  account_id:
    description: The AWS account ID the environment is bound to (C(registry_aws_account_id)); required.
    type: raw
  kubernetes:
    description: Check the Kubernetes binding and that its API answers (runs that write Secrets or read them).
    type: bool
    default: true
  kubernetes_context:
    description: The kubeconfig context the environment is bound to (C(registry_kubernetes_context)).
    type: str
  kubernetes_server:
    description: The Kubernetes API server URL the environment is bound to (C(registry_kubernetes_server)).
    type: str
  kubernetes_timeout:
    description: Seconds the Kubernetes API may take to answer.
    type: float
    default: 10
  regions:
    description: Variable name to region, for regions the run uses besides those of its stacks.
    type: dict
    default: {}
  network:
    description: Check that the VPCs and subnets the stacks take exist.
    type: bool
    default: true
  drill_lock:
    description: Check the DR drill lock (C(dr_drill_lock_name) in C(dr_drill_dr_region)) before the drill starts.
    type: bool
    default: false
attributes:
  check_mode:
    support: full
    description: Makes no change in any mode; it runs in check mode too.
  diff_mode:
    support: none
    description: It changes nothing, so there is no difference to show.
  platform:
    support: full
    platforms: aws
    description: Runs on the controller, against the AWS and Kubernetes APIs.
notes:
  - The credentials come from the controller's environment (as C(cloudformation_stack)'s), the Kubernetes target from
    C(K8S_AUTH_KUBECONFIG), C(KUBECONFIG) or C(~/.kube/config) with C(K8S_AUTH_CONTEXT), or C(K8S_AUTH_HOST), as
    kubernetes.core reads them.
"""

EXAMPLES = r"""
- name: Check everything site.yml will deploy, before the first write
  ai_model_registry.infra.preflight_check:
    roles: [preflight, aurora, redis, "backup:dr_vault", "backup:plan", "dr:replica", "dr:primary", "dr:secondary",
            k8s_secrets]
    account_id: "{{ registry_aws_account_id }}"
    kubernetes_context: "{{ registry_kubernetes_context }}"
    regions:
      registry_primary_region: "{{ registry_primary_region }}"
      registry_dr_region: "{{ registry_dr_region }}"
"""

RETURN = r"""
checked:
  description: The checks that passed, in order (C(inputs), C(kubernetes), C(account), C(regions), C(networks),
    C(drill lock)).
  returned: always
  type: list
  elements: str
problems:
  description: Every problem found, each a sentence naming the variable or resource.
  returned: on failure
  type: list
  elements: str
reason:
  description: Which stage refused, a stable keyword (C(bad_input), C(kubernetes), C(aws), C(account), C(not_found)).
  returned: on failure
  type: str
account:
  description: The account of the caller (STS GetCallerIdentity).
  returned: when the account was read
  type: str
kubernetes:
  description: The Kubernetes target found - C(context), C(server), C(source) (where it was read) and C(version).
  returned: when O(kubernetes) is true and the inputs passed
  type: dict
api_calls:
  description: The AWS API calls made, in order, as C(service.Action) (all reads).
  returned: always
  type: list
  elements: str
"""
