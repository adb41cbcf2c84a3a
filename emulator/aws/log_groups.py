"""CloudWatch Logs log groups encrypted with a KMS key, and the log groups Lambda makes, as AWS does.

- A log group created with ``kmsKeyId`` (CreateLogGroup, ``AWS::Logs::LogGroup``'s ``KmsKeyId``) is refused unless
  the key's policy lets the service principal ``logs.<region>.amazonaws.com`` use it - kms:Encrypt*, Decrypt*,
  ReEncrypt*, GenerateDataKey*, Describe*, optionally for this log group's ARN only through the encryption context
  ``kms:EncryptionContext:aws:logs:arn``
  (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html). AWS answers
  ``AccessDeniedException: The specified KMS key does not exist or is not allowed to be used with Arn '<log group
  ARN>'``; moto accepts any key.
- Lambda writes a function's output to the log group ``/aws/lambda/<function name>``, which it creates at the first
  invocation when the template did not (https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs.html):
  a log group no stack owns, which a stack's deletion leaves behind. lambda_runtime.py calls ``write_function_logs``.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from moto.kms.models import kms_backends
from moto.logs.exceptions import LogsClientError
from moto.logs.models import LogsBackend

from emulator.aws.policies import policy_allows

# What CloudWatch Logs does with the key of an encrypted log group (the doc's Encrypt*, Decrypt*, GenerateDataKey*).
KMS_ACTIONS = ("kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey")


class AccessDeniedException(LogsClientError):
    def __init__(self, message: str):
        super().__init__("AccessDeniedException", message)


def key_usable(account_id: str, region: str, key_id: str, log_group_arn: str) -> bool:
    """Whether CloudWatch Logs of ``region`` may use the key for this log group (an enabled key whose policy
    allows it)."""
    kms = kms_backends[account_id][region]
    try:
        key = kms.keys[kms.any_id_to_key_id(key_id)]
    except (KeyError, AttributeError):  # moto: an unknown alias resolves to None
        return False
    context = {"kms:EncryptionContext:aws:logs:arn": log_group_arn, "aws:SourceAccount": account_id}
    service = f"logs.{region}.amazonaws.com"
    return key.enabled and all(policy_allows(key.policy, service, a, key.arn, context) for a in KMS_ACTIONS)


_WRAPPED_CREATE_LOG_GROUP: list = []


def create_log_group(self: LogsBackend, log_group_name: str, tags: dict[str, str], **kwargs: Any):
    key_id = kwargs.get("kmsKeyId") or kwargs.get("KmsKeyId")  # the API's, or the template's property
    if key_id:
        arn = f"arn:aws:logs:{self.region_name}:{self.account_id}:log-group:{log_group_name}"
        if not key_usable(self.account_id, self.region_name, key_id, arn):
            raise AccessDeniedException(
                f"The specified KMS key does not exist or is not allowed to be used with Arn '{arn}'"
            )
        kwargs["kmsKeyId"] = key_id  # moto reads only the API's name: a template's key would not be shown
    return _WRAPPED_CREATE_LOG_GROUP[0](self, log_group_name, tags, **kwargs)


def write_function_logs(function, output: str) -> None:
    """A Lambda invocation's output in ``/aws/lambda/<name>``, the log group created when missing, as Lambda does:
    a stream per invocation (moto's own save_logs stamps events with float milliseconds, which the API's shape
    does not allow)."""
    backend, group = function.logs_backend, function.logs_group_name
    backend.ensure_log_group(group)
    now = datetime.datetime.now(datetime.UTC)
    stream = f"{now:%Y/%m/%d}/[{function.version}]{uuid.uuid4().hex}"
    backend.create_log_stream(group, stream)
    millis = int(now.timestamp() * 1000)
    events = [{"timestamp": millis, "message": line} for line in output.splitlines() if line] or [
        {"timestamp": millis, "message": "(no output)"}
    ]
    backend.put_log_events(group, stream, events)


def install() -> None:
    _WRAPPED_CREATE_LOG_GROUP[:] = [LogsBackend.create_log_group]
    LogsBackend.create_log_group = create_log_group
