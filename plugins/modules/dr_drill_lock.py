#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright (c) 2026 AI Model Registry platform team
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# The work is done by the action plugin of the same name (plugins/action/dr_drill_lock.py), on the
# controller; this file documents it for ansible-doc.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: dr_drill_lock
version_added: 1.0.0
short_description: Take or release the lock that lets one DR drill at a time run in an environment
description:
  - The lock is an SSM parameter (in the DR region, so it works while the primary region is down) whose value
    names the drill that holds it - C(drill_id), C(type), C(started_at) and C(expires_at) (epoch seconds), as JSON.
  - O(state=present) takes the lock. C(PutParameter) without C(Overwrite) is the atomic step - of two drills
    starting together exactly one creates the parameter; the other is refused with RV(reason=held), before any
    change, and told who holds the lock and until when.
  - A lock past its C(expires_at) belonged to a drill that died; it is taken over (deleted, then created again
    without C(Overwrite)), and RV(taken_over) and RV(previous_holder) say so. Taking over is not atomic - SSM
    has no conditional delete - but a drill that loses that race finds the other's lock on the next step and is
    refused.
  - A lock this drill already holds is kept (a re-run with the same O(drill_id) changes nothing).
  - O(state=absent) releases the lock only if this drill holds it; another drill's lock is left alone.
author:
  - AI Model Registry platform team (@ai-model-registry)
options:
  name:
    description: Name of the SSM parameter, for example C(/ai-model-registry/staging/dr-drill/lock).
    type: str
    required: true
  drill_id:
    description: The drill that takes or releases the lock.
    type: str
    required: true
  drill_type:
    description: The kind of drill, recorded in the lock and shown to a drill that is refused.
    type: str
    default: drill
  environment:
    description: The environment, for the message a refused drill shows.
    type: str
  ttl_seconds:
    description: After this many seconds the lock is stale and the next drill takes it over.
    type: int
    default: 21600
  state:
    description: C(present) takes the lock, C(absent) releases it if this drill holds it.
    type: str
    choices: [present, absent]
    default: present
notes:
  - Check mode makes no change; it reads the lock and reports what would be done.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - ai_model_registry.infra.controller
"""

EXAMPLES = r"""
- name: Take the lock (fails, with who holds it, when another drill runs)
  ai_model_registry.infra.dr_drill_lock:
    name: /ai-model-registry/staging/dr-drill/lock
    region: us-east-1
    drill_id: staging-switchover-20270112T100000Z-4711
    drill_type: switchover
    environment: staging
    ttl_seconds: 21600
  register: lock

- name: Release the lock, if this drill still holds it
  ai_model_registry.infra.dr_drill_lock:
    name: /ai-model-registry/staging/dr-drill/lock
    region: us-east-1
    drill_id: staging-switchover-20270112T100000Z-4711
    state: absent
"""

RETURN = r"""
holder:
  description: The lock's value when the module returned (in check mode, what it would be); null when nobody holds it.
  returned: always
  type: dict
  contains:
    drill_id:
      description: The drill that holds the lock.
      type: str
    type:
      description: Its kind of drill.
      type: str
    started_at:
      description: When it took the lock, in seconds since the epoch.
      type: float
    expires_at:
      description: When the lock becomes stale, in seconds since the epoch.
      type: float
  sample: {drill_id: staging-switchover-20270112T100000Z-4711, type: switchover, started_at: 1799748000.0,
           expires_at: 1799769600.0}
acquired:
  description: Whether this drill holds the lock (O(state=present)); false after a release.
  returned: always
  type: bool
taken_over:
  description: Whether a stale lock of a drill that died was taken over.
  returned: always
  type: bool
previous_holder:
  description: The stale lock that was taken over; null when none was.
  returned: always
  type: dict
released:
  description: Whether this drill's lock was released (O(state=absent)).
  returned: always
  type: bool
api_calls:
  description: The AWS API actions the module made, in order (C(service.Action)).
  returned: always
  type: list
  elements: str
  sample: [ssm.PutParameter]
reason:
  description: Why the module failed - C(held) (another drill holds the lock), C(unreadable) (the parameter does
    not hold a lock's JSON).
  returned: on failure
  type: str
"""
