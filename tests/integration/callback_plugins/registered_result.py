"""Test helper of run_module (tests/integration/ansible.py): writes the fact ``registered_result_json`` (the
registered result, as ``to_json`` renders it) to the file the environment variable REGISTERED_RESULT_FILE names.
A copy task wrote it before: two more module processes (stat and copy, about 1 s of CPU) for each module test,
where set_fact and a callback run in ansible-playbook's own processes."""

import os

from ansible.plugins.callback import CallbackBase

FACT = "registered_result_json"


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "registered_result"
    CALLBACK_NEEDS_ENABLED = True

    def v2_runner_on_ok(self, result):
        path = os.environ.get("REGISTERED_RESULT_FILE")
        facts = result.result.get("ansible_facts") or {}
        if path and FACT in facts:
            with open(path, "w") as handle:
                handle.write(facts[FACT])
