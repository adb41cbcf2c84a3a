# -*- coding: utf-8 -*-
# Copyright (c) 2026 AI Model Registry platform team
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of ai_model_registry.infra.dr_drill_lock: the module's logic, run on the controller
(controller_module.py); its documentation is plugins/modules/dr_drill_lock.py."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import time

from ansible_collections.ai_model_registry.infra.plugins.module_utils.aws_client import module_clients
from ansible_collections.ai_model_registry.infra.plugins.plugin_utils.aws_session import botocore, warm
from ansible_collections.ai_model_registry.infra.plugins.plugin_utils.controller_module import ControllerModuleAction
from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code

warm("ssm")


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


ARGUMENT_SPEC = {
    "name": {"type": "str", "required": True},
    "drill_id": {"type": "str", "required": True},
    "drill_type": {"type": "str", "default": "drill"},
    "environment": {"type": "str"},
    "ttl_seconds": {"type": "int", "default": 21600},
    "state": {"type": "str", "choices": ["present", "absent"], "default": "present"},
}


def main(module):
    if module.params["ttl_seconds"] < 1:
        module.fail_json(msg="ttl_seconds must be at least 1", changed=False, api_calls=[])
    Lock(module).run()


class ActionModule(ControllerModuleAction):
    MODULE = {"argument_spec": ARGUMENT_SPEC, "supports_check_mode": True, "aws": True}
    main = staticmethod(main)
