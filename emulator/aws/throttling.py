"""A throttled call answered as each AWS service answers it: its own error code and HTTP status, in the wire
format of the protocol the client spoke.

A client's retries recognise throttling by the error code botocore parses out of the answer (botocore's
retry handlers and amazon.aws's ``AWSRetry`` both match codes). An answer in the wrong format parses to no
code at all - botocore falls back to the HTTP status ("400") - and nothing retries it: CloudWatch, spoken
as JSON by this botocore (``protocols: [smithy-rpc-v2-cbor, json, query]``), got the query protocol's XML
before, so a throttled CloudWatch call failed outright where AWS's would have been retried.

The services and their codes (``THROTTLES``), each with the page that documents it:

- query services (CloudFormation, RDS, ElastiCache, STS, CloudWatch's query protocol): ``Throttling``,
  HTTP 400, ``<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code>...`` - the answer AWS shows
  in https://repost.aws/knowledge-center/cloudwatch-400-error-throttling, the code in
  https://repost.aws/knowledge-center/cloudformation-rate-exceeded-error ("An error occurred (Throttling)").
- CloudWatch over JSON: the service is ``awsQueryCompatible``: the query code travels in the
  ``x-amzn-query-error: Throttling;Sender`` header, which the SDKs read before the JSON ``__type``
  (https://smithy.io/2.0/aws/protocols/aws-query-protocol.html#aws-protocols-awsquerycompatible-trait).
- SNS: ``ThrottlingException`` (https://repost.aws/knowledge-center/sns-throttling-exception-errors).
- EC2: ``RequestLimitExceeded`` (https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html),
  HTTP 503 (botocore's ``_retry.json``), in EC2's own error envelope ``<Response><Errors><Error>``
  (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html).
- S3: ``SlowDown``, HTTP 503 (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html).
- JSON services (Secrets Manager, SSM, KMS, EventBridge, CloudWatch Logs) and AWS Backup:
  ``ThrottlingException``, HTTP 400 (https://docs.aws.amazon.com/kms/latest/developerguide/throttling.html,
  https://docs.aws.amazon.com/systems-manager/latest/APIReference/CommonErrors.html).
- Lambda: ``TooManyRequestsException``, HTTP 429 (https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html).
- Route 53: ``Throttling``, HTTP 400, in the REST-XML ``ErrorResponse``
  (https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/DNSLimitations.html#limits-api-requests).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass

from emulator.aws.shapes import CHECKER, request_protocol


@dataclass(frozen=True)
class Throttle:
    code: str
    status: int
    doc: str
    query_code: str | None = None  # awsQueryCompatible services: the query protocol's code (x-amzn-query-error)


_QUERY = "https://repost.aws/knowledge-center/cloudwatch-400-error-throttling"
_JSON = "https://docs.aws.amazon.com/kms/latest/developerguide/throttling.html"

# botocore's service name -> how the service throttles
THROTTLES: dict[str, Throttle] = {
    "cloudformation": Throttle(
        "Throttling", 400, "https://repost.aws/knowledge-center/cloudformation-rate-exceeded-error"
    ),
    "rds": Throttle("Throttling", 400, _QUERY),
    "elasticache": Throttle("Throttling", 400, _QUERY),
    "sts": Throttle("Throttling", 400, _QUERY),
    "cloudwatch": Throttle("ThrottlingException", 400, _QUERY, query_code="Throttling"),
    "sns": Throttle("ThrottlingException", 400, "https://repost.aws/knowledge-center/sns-throttling-exception-errors"),
    "ec2": Throttle(
        "RequestLimitExceeded", 503, "https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html"
    ),
    "s3": Throttle("SlowDown", 503, "https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html"),
    "secretsmanager": Throttle("ThrottlingException", 400, _JSON),
    "ssm": Throttle(
        "ThrottlingException", 400, "https://docs.aws.amazon.com/systems-manager/latest/APIReference/CommonErrors.html"
    ),
    "kms": Throttle("ThrottlingException", 400, _JSON),
    "events": Throttle("ThrottlingException", 400, _JSON),
    "logs": Throttle("ThrottlingException", 400, _JSON),
    "backup": Throttle(
        "ThrottlingException", 400, "https://docs.aws.amazon.com/aws-backup/latest/devguide/API_Types.html"
    ),
    "lambda": Throttle(
        "TooManyRequestsException", 429, "https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html"
    ),
    "route53": Throttle(
        "Throttling",
        400,
        "https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/DNSLimitations.html#limits-api-requests",
    ),
}
_DEFAULT = {"query": "Throttling", "ec2": "RequestLimitExceeded", "rest-xml": "Throttling"}
_REASONS = {400: "Bad Request", 429: "Too Many Requests", 503: "Service Unavailable"}
MESSAGE = "Rate exceeded"


def throttle_for(service: str, protocol: str) -> Throttle:
    """How ``service`` (botocore's name) throttles; a service not listed answers its protocol's usual code."""
    if service in THROTTLES:
        return THROTTLES[service]
    return Throttle(_DEFAULT.get(protocol, "ThrottlingException"), 400, "")


def answer(signing_name: str, environ: dict) -> tuple[str, list[tuple[str, str]], bytes]:
    """(status line, headers, body) of a throttled request, in the protocol the request was made in."""
    model = CHECKER.model(signing_name)
    service = model.service_name if model is not None else signing_name
    protocol = request_protocol(model, environ) if model is not None else "query"
    throttle = throttle_for(service, protocol)
    request_id = str(uuid.uuid4())
    headers: list[tuple[str, str]] = [("x-amzn-RequestId", request_id)]
    if protocol in ("json", "rest-json", "smithy-rpc-v2-cbor"):  # botocore speaks JSON, not CBOR, here
        code = throttle.code
        if protocol == "rest-json":
            body = {"message": MESSAGE, "Type": "User"}
        else:
            version = (model.metadata.get("jsonVersion") if model is not None else None) or "1.1"
            body = {"__type": code, "message": MESSAGE}
            headers.append(("Content-Type", f"application/x-amz-json-{version}"))
        if protocol == "rest-json":
            headers.append(("Content-Type", "application/json"))
        headers.append(("x-amzn-ErrorType", code))
        if throttle.query_code:
            headers.append(("x-amzn-query-error", f"{throttle.query_code};Sender"))
        payload = json.dumps(body).encode()
    elif protocol == "ec2":
        payload = (
            f"<Response><Errors><Error><Code>{throttle.code}</Code><Message>Request limit exceeded.</Message>"
            f"</Error></Errors><RequestID>{request_id}</RequestID></Response>"
        ).encode()
        headers.append(("Content-Type", "text/xml"))
    elif protocol == "rest-xml" and service == "s3":
        payload = (
            f"<Error><Code>{throttle.code}</Code><Message>Please reduce your request rate.</Message>"
            f"<RequestId>{request_id}</RequestId></Error>"
        ).encode()
        headers.append(("Content-Type", "application/xml"))
    else:  # query, and REST-XML services other than S3 (Route 53)
        code = throttle.query_code or throttle.code
        payload = (
            f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{MESSAGE}</Message>"
            f"</Error><RequestId>{request_id}</RequestId></ErrorResponse>"
        ).encode()
        headers.append(("Content-Type", "text/xml"))
    status = f"{throttle.status} {_REASONS.get(throttle.status, 'Error')}"
    return status, [*headers, ("Content-Length", str(len(payload)))], payload
