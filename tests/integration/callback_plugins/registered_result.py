"""Test helper of run_module (tests/integration/ansible.py): writes what ``register`` keeps of a task's result, as
JSON, to the file the environment variable REGISTERED_RESULT_FILE names. A copy task did it before: two more module
processes (stat and copy, about 1 s of CPU) for each module test, where a callback runs in ansible-playbook itself."""

import json
import os

from ansible.module_utils.common.json import AnsibleJSONEncoder
from ansible.plugins.callback import CallbackBase
from ansible.vars.clean import strip_internal_keys


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "registered_result"
    CALLBACK_NEEDS_ENABLED = True

    def _keep(self, result, failed):
        path = os.environ.get("REGISTERED_RESULT_FILE")
        if not path or not result.task.register:
            return
        # As the strategy registers it: without internal keys and the invocation; the event's status put back.
        registered = strip_internal_keys({key: value for key, value in result.result.items() if key != "invocation"})
        registered["failed"] = failed
        with open(path, "w") as handle:
            json.dump(registered, handle, cls=AnsibleJSONEncoder)

    def v2_runner_on_ok(self, result):
        self._keep(result, False)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._keep(result, True)
