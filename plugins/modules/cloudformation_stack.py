#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright (c) 2026 AI Model Registry platform team
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# The work is done by the action plugin of the same name (plugins/action/cloudformation_stack.py), on the
# controller; this file documents it for ansible-doc.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: cloudformation_stack
version_added: 1.0.0
short_description: Deploy, preview, check for drift or delete one CloudFormation stack, in one task
description:
  - The only way the collection deploys or deletes a stack. It reads the deployed stack (C(DescribeStacks),
    C(GetTemplate)) and compares template (semantically, long or short YAML form or JSON), parameters, tags and
    termination protection with what is wanted, so a run with nothing to change makes no write.
  - Every template parameter is sent explicitly; unknown or missing parameters and values the template's
    C(AllowedValues), C(MinValue) or C(MaxValue) refuse are refused before any AWS call.
  - A stack in a status that needs a person (C(UPDATE_ROLLBACK_FAILED), C(DELETE_FAILED), ...) is refused with the
    command that shows why; a stack in C(ROLLBACK_COMPLETE) after a failed creation is deleted and created again;
    a stack another operation is changing is waited for first.
  - While it waits it shows each new stack event (resource, status, reason) as it arrives; it waits at most
    O(timeout_minutes) in all. A failure names the failed resources and their reasons, those of nested stacks too.
  - After the comparison it reports the stack's drift - each resource changed outside CloudFormation with its property
    differences - or fails with O(drift=fail). The drift comes from a new detection (C(DetectStackDrift)), or from
    CloudFormation's last one when that began at most O(drift_max_age) seconds ago.
  - In check mode it writes nothing to the stack; an update is previewed from a change set that is deleted again.
  - It runs on the controller (an action plugin) with the controller's AWS credentials (environment, profile, instance
    role); C(AWS_ENDPOINT_URL) is honoured as botocore reads it.
author:
  - AI Model Registry platform team (@ai-model-registry)
options:
  name:
    description: Name of the stack.
    type: str
    required: true
  region:
    description: AWS region of the stack.
    type: str
    required: true
    aliases: [aws_region]
  state:
    description:
      - C(present) deploys the stack, C(absent) deletes it.
      - C(read) only reads it (one C(DescribeStacks) call) - its RV(status), RV(outputs) and RV(parameters);
        a stack that does not exist is C(ABSENT), with none.
    type: str
    default: present
    choices: [present, absent, read]
  template:
    description:
      - Template file, looked up like M(ansible.builtin.copy)'s C(src) (the calling role's C(files/) first).
      - Required with O(state=present).
    type: path
  template_bucket:
    description:
      - S3 bucket in O(region) that CloudFormation reads the template from when it is over the 51,200 bytes a request
        may carry (C(TemplateURL)); the task uploads it to C(cloudformation-templates/<name>/<sha256>.yaml) unless an
        object of the same content is there. Check mode uploads nothing.
      - Without it such a template is refused before any AWS call.
    type: str
    version_added: 1.1.0
  parameters:
    description:
      - Template parameters; lists are joined with commas, booleans become C(true)/C(false).
      - Parameters not given take the template's default, sent explicitly.
    type: dict
    default: {}
  tags:
    description: Stack tags (CloudFormation propagates them to the resources).
    type: dict
    default: {}
  termination_protection:
    description: Termination protection of the stack.
    type: bool
    default: false
  capabilities:
    description: Capabilities acknowledged.
    type: list
    elements: str
    default: [CAPABILITY_IAM, CAPABILITY_NAMED_IAM]
  role_arn:
    description:
      - ARN of the CloudFormation service role that creates, updates and deletes the stack's resources (C(RoleARN) of
        C(CreateStack), C(UpdateStack) and C(DeleteStack)); the caller then needs C(iam:PassRole) of it, not the
        resources' own permissions. C(docs/iam/roles.yaml) creates one.
      - Without it CloudFormation acts with the caller's credentials (or the role the stack was created with).
    type: str
  timeout_minutes:
    description: Overall time the task may wait for the stack, over all its steps.
    type: int
    default: 90
  poll_seconds:
    description: Longest pause between two looks at the stack while waiting (it starts at one second).
    type: float
    default: 5
  drift:
    description:
      - C(report) detects drift on every run and reports drifted resources as warnings; C(fail) fails the task when
        the stack has drifted; C(skip) does not detect drift (two API calls for a stack with nothing to change).
      - Drift detection is not run right after a stack is created.
    type: str
    default: report
    choices: [report, fail, skip]
  drift_max_age:
    description:
      - With O(drift=report) or O(drift=fail), how old CloudFormation's last drift detection of the stack (its
        C(DriftInformation) in C(DescribeStacks)) may be, in seconds, to be reported instead of running a new one
        for a stack with nothing to change. A new detection costs two more API calls, and on AWS the time it takes.
      - C(0) runs a new detection on every run. After an update a new one always runs.
    type: int
    default: 0
    version_added: 1.1.0
  delete_protected:
    description:
      - With O(state=absent), lift the termination protection of a protected stack and delete it. Give it only with a
        person's confirmation (the teardown playbook's C(registry_teardown_confirm)).
    type: bool
    default: false
attributes:
  check_mode:
    support: full
    description: Writes nothing to the stack; an update is previewed from a change set that is deleted again.
  diff_mode:
    support: full
    description: Parameters, tags and termination protection, deployed against wanted.
notes:
  - A stack with nothing to change costs C(DescribeStacks) and C(GetTemplate), plus a new drift detection's calls
    (C(DetectStackDrift), C(DescribeStackDriftDetectionStatus)) unless O(drift=skip) or the last detection is recent
    (O(drift_max_age)), and C(DescribeStackResourceDrifts) when the stack has drifted.
extends_documentation_fragment:
  - ai_model_registry.infra.controller_aws
"""

EXAMPLES = r"""
- name: Deploy the Aurora stack from this role's files/
  ai_model_registry.infra.cloudformation_stack:
    name: ai-model-registry-staging-aurora
    region: us-west-2
    template: aurora-cluster.yaml
    parameters:
      Environment: staging
      PrivateSubnetIds: [subnet-0a000000000000001, subnet-0a000000000000002]
    tags: {Project: ai-model-registry, Environment: staging}
  register: aurora_stack

- name: Delete a protected stack, as the teardown confirmation allows
  ai_model_registry.infra.cloudformation_stack:
    name: ai-model-registry-aurora
    region: us-west-2
    state: absent
    delete_protected: "{{ registry_teardown_confirm | default('') == inventory_hostname }}"

- name: Read the DR region's stack (its outputs and parameters), changing nothing
  ai_model_registry.infra.cloudformation_stack:
    name: ai-model-registry-dr-secondary
    region: us-east-1
    state: read
  register: dr_stack
"""

RETURN = r"""
name:
  description: The stack.
  returned: always
  type: str
region:
  description: Its region.
  returned: always
  type: str
action:
  description: C(none), C(create), C(recreate) (after C(ROLLBACK_COMPLETE)), C(update), C(protection), C(delete) or
    C(preview) (check mode).
  returned: always
  type: str
status:
  description: The stack status at the end (C(ABSENT) when there is none).
  returned: when the stack was read
  type: str
stack_id:
  description: The stack ID.
  returned: when the stack exists
  type: str
outputs:
  description:
    - The stack outputs, name to value.
    - "In check mode, the deployed outputs of a stack that would be updated; for a stack that would be created, each
      output the template declares as a placeholder naming it (C(\\(known once stack <name> exists: <output>\\))),
      so that the previews of the stacks fed from it run (filter P(ai_model_registry.infra.stack_pending#filter))."
  returned: with O(state=present) or O(state=read) unless failed
  type: dict
parameters:
  description: The deployed stack's parameters, name to value (NoEcho ones as AWS shows them, C(****)).
  returned: with O(state=read)
  type: dict
preview:
  description: Check mode's lines of what would change (resources from the change set, parameters, tags).
  returned: in check mode when something would change
  type: list
  elements: str
events:
  description: The stack events this run saw while waiting, oldest first.
  returned: always
  type: list
  elements: dict
drift:
  description:
    - The stack's drift, C(status) (C(IN_SYNC), C(DRIFTED), ...) and C(drifted_resources) with their
      C(property_differences).
    - C(checked_at) and C(age_seconds) - when the detection reported began; C(detected) - whether this run began it
      (false - CloudFormation's last detection, see O(drift_max_age)).
  returned: unless O(drift=skip), for a stack that was not just created
  type: dict
failures:
  description: The failed resources of a failed operation (logical id, type, status, reason, nested stacks' own).
  returned: when the stack operation failed
  type: list
  elements: dict
reason:
  description: Why the task failed, a stable keyword (C(bad_input), C(needs_a_person), C(timeout), C(failed),
    C(drifted), C(protected), C(aws_error)).
  returned: on failure
  type: str
api_calls:
  description: The AWS API calls made, in order, as C(service.Action).
  returned: always
  type: list
  elements: str
"""
