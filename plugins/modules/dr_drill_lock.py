#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright (c) 2026 AI Model Registry platform team
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

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

import json
import time

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible_collections.ai_model_registry.infra.plugins.module_utils.aws_client import module_clients
from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule


def lock_value(drill_id, drill_type, now, ttl_seconds):
    return {"drill_id": drill_id, "type": drill_type, "started_at": float(now), "expires_at": float(now) + ttl_seconds}


def decide(holder, drill_id, now):
    """What to do about the lock as found: ``take`` (free), ``keep`` (ours), ``take_over`` (stale), ``refuse``."""
    if holder is None:
        return "take"
    if holder.get("drill_id") == drill_id:
        return "keep"
    if float(holder.get("expires_at", 0)) < now:
        return "take_over"
    return "refuse"


def held_message(holder, environment):
    def utc(seconds):
        return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(float(seconds)))

    return "Another DR drill runs in %s: %s (%s), started %s; its lock expires %s. Nothing was changed." % (
        environment or "this environment",
        holder.get("drill_id"),
        holder.get("type"),
        utc(holder.get("started_at", 0)),
        utc(holder.get("expires_at", 0)),
    )


class Lock:
    def __init__(self, module, clock=time.time):
        self.module = module
        self.params = module.params
        self.clock = clock
        clients = module_clients(module)
        self.ssm = clients("ssm", None)
        self.result = {
            "changed": False,
            "holder": None,
            "acquired": False,
            "taken_over": False,
            "previous_holder": None,
            "released": False,
            "api_calls": clients.api_calls,
        }

    def fail(self, reason, msg):
        self.module.fail_json(msg=msg, reason=reason, **self.result)

    def read(self):
        """The lock's value, or None when nobody holds it."""
        try:
            value = self.ssm.call("GetParameter", Name=self.params["name"])["Parameter"]["Value"]
        except is_boto3_error_code("ParameterNotFound"):
            return None
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:  # pylint: disable=duplicate-except
            self.module.fail_json_aws(e, msg="Could not read the lock %s" % self.params["name"], **self.result)
        try:
            holder = json.loads(value)
        except ValueError:
            holder = None
        if not isinstance(holder, dict) or "drill_id" not in holder:
            self.fail("unreadable", "%s does not hold a drill lock: %r" % (self.params["name"], value[:200]))
        return holder

    def create(self, value):
        """PutParameter without Overwrite: True when this call created the lock, False when it existed."""
        try:
            self.ssm.call(
                "PutParameter",
                Name=self.params["name"],
                Value=json.dumps(value, sort_keys=True),
                Type="String",
                Description="DR drill lock: one drill at a time",
                Overwrite=False,
            )
        except is_boto3_error_code("ParameterAlreadyExists"):
            return False
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:  # pylint: disable=duplicate-except
            self.module.fail_json_aws(e, msg="Could not write the lock %s" % self.params["name"], **self.result)
        return True

    def delete(self):
        try:
            self.ssm.call("DeleteParameter", Name=self.params["name"])
        except is_boto3_error_code("ParameterNotFound"):
            pass
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:  # pylint: disable=duplicate-except
            self.module.fail_json_aws(e, msg="Could not delete the lock %s" % self.params["name"], **self.result)

    def acquire(self):
        params = self.params
        now = self.clock()
        ours = lock_value(params["drill_id"], params["drill_type"], now, params["ttl_seconds"])
        if self.module.check_mode:
            holder = self.read()
        elif self.create(ours):
            return self.done(holder=ours, acquired=True, changed=True)
        else:
            holder = self.read()
        action = decide(holder, params["drill_id"], now)
        if action == "refuse":
            self.result["holder"] = holder
            self.fail("held", held_message(holder, params["environment"]))
        if action == "keep":
            return self.done(holder=holder, acquired=True)
        if action == "take_over":
            self.result.update(taken_over=True, previous_holder=holder)
        if self.module.check_mode:
            return self.done(holder=ours, acquired=True, changed=True)
        # The stale lock goes, and ours is created as the first one was: without Overwrite.
        self.delete()
        if not self.create(ours):  # another drill took it over between our delete and our create
            holder = self.read() or {"drill_id": "another drill", "type": "unknown"}
            self.result["holder"] = holder
            self.fail("held", held_message(holder, params["environment"]))
        return self.done(holder=ours, acquired=True, changed=True)

    def release(self):
        holder = self.read()
        if holder is None or holder.get("drill_id") != self.params["drill_id"]:
            return self.done(holder=holder)  # free, or another drill's: not ours to release
        if not self.module.check_mode:
            self.delete()
        return self.done(holder=None, released=True, changed=True)

    def done(self, **result):
        self.result.update(result)
        self.module.exit_json(**self.result)

    def run(self):
        if self.params["state"] == "present":
            self.acquire()
        else:
            self.release()


def main():
    argument_spec = dict(
        name=dict(type="str", required=True),
        drill_id=dict(type="str", required=True),
        drill_type=dict(type="str", default="drill"),
        environment=dict(type="str"),
        ttl_seconds=dict(type="int", default=21600),
        state=dict(type="str", choices=["present", "absent"], default="present"),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    if module.params["ttl_seconds"] < 1:
        module.fail_json(msg="ttl_seconds must be at least 1", changed=False, api_calls=[])
    Lock(module).run()


if __name__ == "__main__":
    main()
