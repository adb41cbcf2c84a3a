"""Lambda Invoke for Python functions without Docker: the function's own code, in a subprocess.

moto runs functions in Docker (absent here) or echoes the event. AWS runs the handler with the
function's environment variables and its region, and the SDK inside talks to AWS; here the
SDK talks to this emulator (``AWS_ENDPOINT_URL``). As the Lambda service reports it: the
handler's return value as the payload; an exception as ``{"errorMessage", "errorType"}`` with the
``X-Amz-Function-Error`` header; the function's timeout enforced; its output in ``/aws/lambda/<name>``
(log_groups.py).
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tempfile
import zipfile

from moto.awslambda.models import LambdaFunction

from emulator.aws import log_groups

# Runs in the subprocess: import the handler's module, call it, print the JSON result.
RUNNER = r"""
import importlib, json, sys, traceback
module_name, function_name = sys.argv[1].rsplit(".", 1)
event = json.loads(sys.stdin.read() or "{}")
try:
    result = getattr(importlib.import_module(module_name), function_name)(event, None)
    print("\n__RESULT__" + json.dumps(result, default=str))
except Exception as exc:
    traceback.print_exc()
    print("\n__ERROR__" + json.dumps({"errorMessage": str(exc), "errorType": type(exc).__name__}))
"""

_original_invoke_lambda = LambdaFunction._invoke_lambda


def _invoke_lambda(self: LambdaFunction, event: str | None = None) -> tuple[str, bool, str]:
    if not str(self.run_time).startswith("python") or not self.code_bytes:
        return _original_invoke_lambda(self, event)
    with tempfile.TemporaryDirectory(prefix="lambda-") as task_root:
        zipfile.ZipFile(io.BytesIO(self.code_bytes)).extractall(task_root)
        environment = {
            "PATH": os.environ.get("PATH", ""),
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_ENDPOINT_URL": os.environ.get("EMULATOR_AWS_URL", ""),
            "AWS_REGION": self.region,
            "AWS_DEFAULT_REGION": self.region,
            "AWS_LAMBDA_FUNCTION_NAME": self.function_name,
            # The caller in the emulator's action record: a function of a stack (the collection's templates deploy
            # its functions) or one a test created through the API.
            "AWS_SDK_UA_APP_ID": "lambda" if self.__dict__.get("_emu_stack") else "test-lambda",
            "LAMBDA_TASK_ROOT": task_root,
            "PYTHONPATH": task_root,
            **{k: str(v) for k, v in (self.environment_vars or {}).items()},
        }
        payload = event if isinstance(event, str) else json.dumps(event or {})
        try:
            done = subprocess.run(  # noqa: S603 - the function's own code, as Lambda runs it
                [sys.executable, "-c", RUNNER, self.handler],
                input=payload,
                capture_output=True,
                text=True,
                cwd=task_root,
                env=environment,
                timeout=float(self.timeout or 3),
                check=False,
            )
        except subprocess.TimeoutExpired:
            message = f"Task timed out after {float(self.timeout or 3):.2f} seconds"
            return json.dumps({"errorMessage": message, "errorType": "Sandbox.Timedout"}), True, message
    logs = done.stderr + done.stdout.split("\n__RESULT__")[0].split("\n__ERROR__")[0]
    log_groups.write_function_logs(self, logs)
    if "\n__RESULT__" in done.stdout:
        return done.stdout.split("\n__RESULT__", 1)[1].strip(), False, logs
    if "\n__ERROR__" in done.stdout:
        return done.stdout.split("\n__ERROR__", 1)[1].strip(), True, logs
    return json.dumps({"errorMessage": done.stderr[-500:], "errorType": "Runtime.ExitError"}), True, logs


def install() -> None:
    LambdaFunction._invoke_lambda = _invoke_lambda
