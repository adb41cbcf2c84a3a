# -*- coding: utf-8 -*-
# Copyright (c) 2026 AI Model Registry platform team
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of ai_model_registry.infra.redis_dr_copy: the module's logic, run on the controller
(controller_module.py); its documentation is plugins/modules/redis_dr_copy.py."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import json
import time

from ansible_collections.ai_model_registry.infra.plugins.module_utils import aws_client, redis_dr_copies
from ansible_collections.ai_model_registry.infra.plugins.plugin_utils.aws_session import botocore, warm
from ansible_collections.ai_model_registry.infra.plugins.plugin_utils.controller_module import ControllerModuleAction

warm("lambda", "s3")

ARGUMENT_SPEC = {
    "function_name": {"type": "str", "required": True},
    "replication_group_id": {"type": "str", "required": True},
    "bucket": {"type": "str", "required": True},
    "bucket_region": {"type": "str", "required": True},
    "timeout_seconds": {"type": "int", "default": 1800},
    "poll_seconds": {"type": "float", "default": 5.0},
}


class Copier:
    def __init__(self, module, clock=time.time, sleep=time.sleep):
        self.module, self.params, self.clock, self.sleep = module, module.params, clock, sleep
        self.clients = aws_client.module_clients(module)
        self.invocations = []

    def invoke(self, payload):
        """One run of the copy function; its answer (the steps it took), a function error as a failure."""
        answer = self.clients("lambda", self.module.region).call(
            "Invoke", FunctionName=self.params["function_name"], Payload=json.dumps(payload).encode()
        )
        body = json.loads(answer["Payload"].read() or b"null")
        if answer.get("FunctionError"):
            self.module.fail_json(
                msg="The copy function %s failed: %s" % (self.params["function_name"], body),
                invocations=self.invocations,
                api_calls=self.clients.api_calls,
            )
        self.invocations.append(body)
        return body

    def keys(self):
        return [
            item["Key"]
            for item in self.clients("s3", self.params["bucket_region"]).paginate(
                "ListObjectsV2",
                key="Contents",
                Bucket=self.params["bucket"],
                Prefix=redis_dr_copies.prefix(self.params["replication_group_id"]),
            )
        ]

    def run(self):
        params = self.params
        started = self.clock()
        # the copy's name has whole seconds: one taken this second counts
        since = datetime.datetime.fromtimestamp(int(started), datetime.timezone.utc)
        if self.module.check_mode:
            self.module.exit_json(changed=True, copy=None, invocations=[], api_calls=[])
        try:
            self.invoke({"copy_now": True})
            while True:
                keys = self.keys()
                found = redis_dr_copies.newest_copy_record(keys, params["bucket"], params["bucket_region"], since)
                if found:
                    break
                if self.clock() - started > params["timeout_seconds"]:
                    self.module.fail_json(
                        msg="No copy of %s taken since %s reached s3://%s within %d s; the copy function's last "
                        "steps: %s (its log: /aws/lambda/<function>)"
                        % (
                            params["replication_group_id"],
                            since.isoformat(),
                            params["bucket"],
                            params["timeout_seconds"],
                            (self.invocations[-1] or {}).get("steps"),
                        ),
                        invocations=self.invocations,
                        api_calls=self.clients.api_calls,
                    )
                self.sleep(params["poll_seconds"])
                self.invoke({})  # the next steps: export once the snapshot is available, then tidy up
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
            self.module.fail_json_aws(e, msg="Could not take a copy of Redis", api_calls=self.clients.api_calls)
        self.module.exit_json(
            changed=True,
            copy=found,
            seconds=round(self.clock() - started, 3),
            invocations=self.invocations,
            api_calls=self.clients.api_calls,
        )


def main(module):
    if module.params["timeout_seconds"] < 1 or module.params["poll_seconds"] <= 0:
        module.fail_json(msg="timeout_seconds must be at least 1 and poll_seconds above 0", api_calls=[])
    Copier(module).run()


class ActionModule(ControllerModuleAction):
    MODULE = {"argument_spec": ARGUMENT_SPEC, "supports_check_mode": True, "aws": True}
    main = staticmethod(main)
