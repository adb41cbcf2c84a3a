"""Paging as AWS pages, where moto (or our own handler) answers a whole list at once.

A client that reads only the first page, or follows the wrong token, passes against an emulator that
never pages: these lists page as the API references describe them, so such a client fails its test.

- ElastiCache ``DescribeSnapshots``
  (https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_DescribeSnapshots.html):
  ``MaxRecords`` default 50, minimum 20, maximum 50 (``InvalidParameterValue`` outside); when more
  records exist the answer carries a ``Marker``, and a request with that ``Marker`` answers the records
  beyond it. (moto returns every snapshot and echoes the request's ``Marker`` back.)
- AWS Backup ``ListRecoveryPointsByBackupVault``
  (https://docs.aws.amazon.com/aws-backup/latest/devguide/API_ListRecoveryPointsByBackupVault.html):
  ``maxResults`` 1-1000, ``nextToken``. AWS documents no default page size: without ``maxResults``
  the emulator answers every recovery point in one page, unless the ``page_size`` setting says less.
- CloudWatch ``GetMetricData``
  (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricData.html): pages by
  data points, not results: ``MaxDatapoints`` (default 100,800) data points a page, in ``ScanBy`` order,
  then ``NextToken``. A query whose data points go on in the next page has ``StatusCode``
  ``PartialData`` (API_MetricDataResult.html); the rest of its data points come in later pages under
  the same ``Id``.

- RDS ``DescribeDBClusters`` and ``DescribeGlobalClusters``
  (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DescribeDBClusters.html,
  API_DescribeGlobalClusters.html): ``MaxRecords`` default 100, minimum 20, maximum 100, ``Marker``.
- CloudFormation ``DescribeStackEvents``
  (https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeStackEvents.html): newest
  first, ``NextToken``; the request has no page size and AWS documents none: every event in one page
  unless ``page_size`` says less.

- Every other List/Describe call the collection makes that botocore can paginate (``GENERIC``): the
  paginator model names the tokens, the page size and the list; the bounds of the page size are those
  of its shape in the service model (``min``/``max``), the default page size AWS's where its API
  reference states one (``DEFAULTS``), else the whole list. moto answers some of these lists whole and
  pages others itself with its own page sizes: the handler answers the whole list (the request's token
  and page size are hidden from it) and the page is cut here, so every list pages alike.

The token names are those of botocore's paginator models (``paginators-1.json``: input and output token).

Setting ``page_size`` (POST ``/_emulator/config``) shrinks the pages for tests, so that a test needs a
few items, not 51, to make a second page: a number for every list above, or
``{"<service>.<Action>": n}`` for some of them. ``collection_page_size`` does the same for the collection's
calls only (control.COLLECTION_CALLERS), with ``"*"`` for the lists a dict does not name; the pytest plugin sets it
to 1 for every test (``EMULATOR_PAGE_SIZE``), so every list the collection reads anywhere in the suite comes one
item a page - but a stack's events, 5 a page (control.DEFAULT_SETTINGS). A page then holds at most that
many items (data points for GetMetricData), whatever the request asks for; the request's own limit is still
checked against AWS's bounds.

Tokens are opaque to clients, as AWS's are: here the operation and the offset of the next item; a token
of another operation, or one that does not decode, is refused with InvalidParameterValue.
"""

from __future__ import annotations

import base64
import binascii
import functools
import json
from dataclasses import dataclass
from typing import Any

import botocore.session
from moto.backup.responses import BackupResponse
from moto.cloudformation.exceptions import ValidationError as CloudFormationValidationError
from moto.cloudformation.responses import CloudFormationResponse
from moto.cloudwatch.exceptions import InvalidParameterValue as CloudWatchInvalidParameterValue
from moto.cloudwatch.responses import CloudWatchResponse
from moto.core.responses import ActionResult
from moto.core.utils import get_value
from moto.ec2.exceptions import InvalidParameterValue as EC2InvalidParameterValue
from moto.ec2.responses import EC2Response
from moto.elasticache.exceptions import InvalidParameterValueException as ElastiCacheInvalidParameterValue
from moto.elasticache.responses import ElastiCacheResponse
from moto.rds.exceptions import InvalidParameterValue as RDSInvalidParameterValue
from moto.rds.responses import RDSResponse
from moto.route53.responses import Route53
from moto.s3.exceptions import InvalidArgumentError as S3InvalidArgument
from moto.s3.responses import S3Response
from moto.sns.exceptions import InvalidParameterValue as SNSInvalidParameterValue
from moto.sns.responses import SNSResponse

from emulator.aws.backup_api import InvalidParameterValueException as BackupInvalidParameterValue
from emulator.aws.control import COLLECTION_CALLERS, REQUEST, STATE

SETTING = "page_size"


@dataclass(frozen=True)
class Paging:
    """How one list operation pages on AWS."""

    operation: str  # "service.Action", the key of the page_size setting
    result_key: str  # the list a page carries
    request_token: str  # the token's name in the request, as it travels (query parameter or member)
    response_token: str  # ... and in the response
    request_limit: str  # the page size the request may ask for
    minimum: int
    maximum: int | None  # None: AWS documents no maximum
    default: int | None  # None: AWS documents no default (every item, unless page_size says less)
    error: Any  # the service's InvalidParameterValue exception (or a callable making it)
    hidden: tuple[str, ...] = ()  # request members the handler must not see: it answers the whole list
    only_when_asked: bool = False  # AWS pages only a request that names a page size or a token (S3 ListBuckets)

    def limit(self, requested: Any) -> int | None:
        """The items this page may hold: the request's limit (checked) or AWS's default, then the setting."""
        if requested is not None:
            try:
                size = int(requested)
            except (TypeError, ValueError):
                size = None
            if size is None or size < self.minimum or (self.maximum is not None and size > self.maximum):
                bounds = f"between {self.minimum} and {self.maximum}" if self.maximum else f"at least {self.minimum}"
                raise self.error(f"Invalid value {requested!r} for {self.request_limit}: it must be {bounds}.")
        else:
            size = self.default
            if self.only_when_asked:
                return None  # an unpaginated request: AWS answers every item
        shrink = setting_for(self.operation)
        if shrink is not None:
            size = shrink if size is None else min(size, shrink)
        return size

    def token(self, offset: int) -> str:
        raw = json.dumps({"operation": self.operation, "offset": offset}).encode()
        return base64.urlsafe_b64encode(raw).decode()

    def offset(self, token: str | None) -> int:
        """The offset a token stands for; a token of another list, or no token at all, is refused."""
        if not token:
            return 0
        try:
            decoded = json.loads(base64.urlsafe_b64decode(token.encode()))
            if decoded["operation"] == self.operation and int(decoded["offset"]) >= 0:
                return int(decoded["offset"])
        except (binascii.Error, ValueError, KeyError, TypeError):
            pass
        raise self.error(f"Invalid {self.request_token}: {token}")

    def page(self, items: list[Any], token: str | None, requested: Any) -> tuple[list[Any], str | None]:
        """The items of this page and the token of the next one (None on the last page)."""
        start, size = self.offset(token), self.limit(requested)
        end = len(items) if size is None else start + size
        return items[start:end], self.token(end) if end < len(items) else None


def setting_for(operation: str) -> int | None:
    """The page_size setting that applies to ``operation``, if any; else, for a call of the collection (a playbook
    run, a Lambda function of its stacks), collection_page_size (the pytest plugin's EMULATOR_PAGE_SIZE)."""
    setting = STATE.settings.get(SETTING)
    if isinstance(setting, dict):
        setting = setting.get(operation)
    if setting is None and getattr(REQUEST, "caller", None) in COLLECTION_CALLERS:
        setting = STATE.settings.get("collection_page_size")
        if isinstance(setting, dict):
            setting = setting.get(operation, setting.get("*"))
    return None if setting is None else int(setting)


ELASTICACHE_SNAPSHOTS = Paging(
    operation="elasticache.DescribeSnapshots",
    result_key="Snapshots",
    request_token="Marker",
    response_token="Marker",
    request_limit="MaxRecords",
    minimum=20,
    maximum=50,
    default=50,
    error=ElastiCacheInvalidParameterValue,
)

BACKUP_RECOVERY_POINTS = Paging(
    operation="backup.ListRecoveryPointsByBackupVault",
    result_key="RecoveryPoints",
    request_token="nextToken",
    response_token="NextToken",
    request_limit="maxResults",
    minimum=1,
    maximum=1000,
    default=None,
    error=BackupInvalidParameterValue,
)

METRIC_DATA = Paging(
    operation="cloudwatch.GetMetricData",
    result_key="MetricDataResults",  # pages hold MaxDatapoints data points, spread over these results
    request_token="NextToken",
    response_token="NextToken",
    request_limit="MaxDatapoints",
    minimum=1,
    maximum=None,
    default=100800,
    error=CloudWatchInvalidParameterValue,
)


RDS_CLUSTERS = Paging(
    operation="rds.DescribeDBClusters",
    result_key="DBClusters",
    request_token="Marker",
    response_token="Marker",
    request_limit="MaxRecords",
    minimum=20,
    maximum=100,
    default=100,
    error=RDSInvalidParameterValue,
)

RDS_GLOBAL_CLUSTERS = Paging(
    operation="rds.DescribeGlobalClusters",
    result_key="GlobalClusters",
    request_token="Marker",
    response_token="Marker",
    request_limit="MaxRecords",
    minimum=20,
    maximum=100,
    default=100,
    error=RDSInvalidParameterValue,
)

STACK_EVENTS = Paging(
    operation="cloudformation.DescribeStackEvents",
    result_key="StackEvents",
    request_token="NextToken",
    response_token="NextToken",
    request_limit="",  # no page size in the request
    minimum=1,
    maximum=None,
    default=None,
    error=lambda message: CloudFormationValidationError(message=message),
)


# The page sizes AWS's API references state where the request leaves them out (botocore's models do not carry
# them); an operation not listed answers its whole list unless the page_size setting says less.
DEFAULTS = {
    "cloudformation.DescribeChangeSet": None,  # API_DescribeChangeSet: no page size in the request
    "cloudformation.DescribeStacks": None,  # API_DescribeStacks: no page size in the request
    "cloudformation.ListStackResources": None,  # API_ListStackResources: no page size in the request
    "rds.DescribeDBInstances": 100,  # API_DescribeDBInstances: MaxRecords default 100, 20-100
    "rds.DescribeDBClusterSnapshots": 100,  # API_DescribeDBClusterSnapshots: MaxRecords default 100, 20-100
    "rds.DescribeDBSnapshots": 100,  # API_DescribeDBSnapshots: MaxRecords default 100, 20-100
    "rds.DescribeDBClusterParameterGroups": 100,  # API_DescribeDBClusterParameterGroups: default 100, 20-100
    "rds.DescribeDBClusterParameters": 100,  # API_DescribeDBClusterParameters: MaxRecords default 100, 20-100
    "elasticache.DescribeReplicationGroups": 100,  # API_DescribeReplicationGroups: MaxRecords default 100, 20-100
    # API_DescribeGlobalReplicationGroups: MaxRecords default 100, 20-100
    "elasticache.DescribeGlobalReplicationGroups": 100,
    "sns.ListTopics": 100,  # API_ListTopics: "up to 100" topics a page, no page size in the request
    "sns.ListSubscriptionsByTopic": 100,  # API_ListSubscriptionsByTopic: "up to 100" a page
    "ec2.DescribeVpcs": None,  # API_DescribeVpcs: MaxResults 5-1000; without it, every result
    "ec2.DescribeSubnets": None,  # API_DescribeSubnets: MaxResults 5-1000; without it, every result
    "backup.ListRestoreJobs": None,  # API_ListRestoreJobs: MaxResults 1-1000, no default stated
    "backup.ListBackupJobs": None,  # API_ListBackupJobs: MaxResults 1-1000, no default stated
    "backup.ListBackupPlans": None,  # API_ListBackupPlans: MaxResults 1-1000, no default stated
}
# RDS's and ElastiCache's MaxRecords are 20-100 (their API references); botocore's shapes carry no bounds.
BOUNDS = {"rds": (20, 100), "elasticache": (20, 100)}

# Each service's own "invalid parameter" error, as its API answers a bad token or page size.
ERRORS = {
    "cloudformation": lambda message: CloudFormationValidationError(message=message),
    "rds": RDSInvalidParameterValue,
    "elasticache": ElastiCacheInvalidParameterValue,
    "sns": SNSInvalidParameterValue,
    "ec2": EC2InvalidParameterValue,
    "backup": BackupInvalidParameterValue,
    "cloudwatch": CloudWatchInvalidParameterValue,
}


@functools.cache
def from_model(operation: str) -> Paging:
    """How ``operation`` pages, from botocore's paginator model and service model."""
    service, action = operation.split(".")
    session = botocore.session.get_session()
    model = session.get_service_model(service)
    paginator = session.get_paginator_model(service, model.api_version).get_paginator(action)
    members = model.operation_model(action).input_shape.members

    def wire(name: str) -> str:
        """The member's name as the request carries it (botocore's serializers: EC2 capitalises it)."""
        member = members.get(name)
        if member is None:
            return name
        if model.protocol == "ec2":
            given = member.serialization.get("queryName") or member.serialization.get("name", name)
            return given[0].upper() + given[1:]
        return member.serialization.get("name", name)

    result_key = paginator["result_key"]
    result_key = result_key if isinstance(result_key, str) else result_key[0]
    limit = paginator.get("limit_key") or ""
    shape = members.get(limit)
    minimum, maximum = BOUNDS.get(service, (None, None))
    if minimum is None:
        minimum = int(shape.metadata.get("min", 1)) if shape is not None else 1
        maximum = shape.metadata.get("max") if shape is not None else None
    return Paging(
        operation=operation,
        result_key=result_key,
        request_token=wire(paginator["input_token"]),
        response_token=paginator["output_token"],
        request_limit=wire(limit) if limit else "",
        minimum=minimum,
        maximum=maximum,
        default=DEFAULTS.get(operation),
        error=ERRORS[service],
        hidden=tuple(
            {paginator["input_token"], wire(paginator["input_token"]), *((limit, wire(limit)) if limit else ())}
        ),
    )


def metric_data_page(results: list[dict[str, Any]], token: str | None, requested: Any):
    """One page of GetMetricData: at most ``limit`` data points, counted over the results in their order.

    A result is on every page that holds some of its data points (``PartialData`` while more follow);
    a result without data points is on the page where its place in that order falls."""
    start = METRIC_DATA.offset(token)
    end = start + METRIC_DATA.limit(requested)
    total = sum(len(r["values"]) for r in results)
    page, first = [], 0  # first: the place of this result's first data point among all of them
    for result in results:
        count = len(result["values"])
        lo, hi = max(first, start), min(first + count, end)
        if lo < hi or (count == 0 and (start <= first < end or (first == total and end >= total))):
            page.append(
                {
                    **result,
                    "values": result["values"][lo - first : hi - first] if count else [],
                    "timestamps": result["timestamps"][lo - first : hi - first] if count else [],
                    "status_code": "PartialData" if first + count > end else result.get("status_code", "Complete"),
                }
            )
        first += count
    return page, METRIC_DATA.token(end) if end < total else None


RESPONSES = {
    "cloudformation": CloudFormationResponse,
    "rds": RDSResponse,
    "elasticache": ElastiCacheResponse,
    "sns": SNSResponse,
    "ec2": EC2Response,
    "backup": BackupResponse,
    "cloudwatch": CloudWatchResponse,
}

# Lists the collection reads (its plugins, the amazon.aws and community.aws modules its roles call, its Lambda
# functions) that botocore can paginate and that are not paged above: they page as their paginator model says.
GENERIC = (
    "cloudformation.DescribeChangeSet",
    "cloudformation.DescribeStacks",
    "cloudformation.ListStackResources",
    "rds.DescribeDBInstances",
    "rds.DescribeDBClusterSnapshots",
    "rds.DescribeDBSnapshots",
    "rds.DescribeDBClusterParameterGroups",
    "rds.DescribeDBClusterParameters",
    "elasticache.DescribeReplicationGroups",
    "elasticache.DescribeGlobalReplicationGroups",
    "sns.ListTopics",
    "sns.ListSubscriptionsByTopic",
    "ec2.DescribeVpcs",
    "ec2.DescribeSubnets",
    "backup.ListRestoreJobs",
    "backup.ListBackupJobs",
    "backup.ListBackupPlans",
)

# S3 ListBuckets (https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListBuckets.html): MaxBuckets 1-10000 and
# ContinuationToken; a request without either is answered every bucket ("unpaginated ListBuckets requests").
S3_BUCKETS = Paging(
    operation="s3.ListBuckets",
    result_key="Buckets",
    request_token="continuation-token",
    response_token="ContinuationToken",
    request_limit="max-buckets",
    minimum=1,
    maximum=10000,
    default=None,
    error=lambda message: S3InvalidArgument(message, "max-buckets", ""),
    only_when_asked=True,
)


def list_buckets(self: S3Response):
    """ListBuckets paged as S3 pages it (moto's answer has every bucket and no ContinuationToken)."""
    self.data["Action"] = "ListAllMyBuckets"
    self._authenticate_and_authorize_s3_action()
    token, requested = self._get_param("continuation-token"), self._get_param("max-buckets")
    buckets = self.backend.list_buckets(
        prefix=self._get_param("prefix"), bucket_region=self._get_param("bucket-region"), max_buckets=None
    )
    items = [{"Name": bucket.name, "CreationDate": bucket.creation_date_ISO8601} for bucket in buckets]
    page, next_token = S3_BUCKETS.page(items, token, requested)
    self.data["Action"] = "ListBuckets"
    result: dict[str, Any] = {"Owner": {"ID": "bcaf1ffd86f41161ca5fb16fd081034f", "DisplayName": "webfile"}}
    result["Buckets"] = page
    if next_token:
        result["ContinuationToken"] = next_token
    return self.serialized(ActionResult(result))


# S3 ListObjectsV2 (https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html): MaxKeys (default 1,000),
# IsTruncated and NextContinuationToken, sent back as ContinuationToken: moto pages it so; the page_size setting caps
# the max-keys it reads (from the query string, where moto's handler reads it).
S3_OBJECTS = "s3.ListObjectsV2"


def capped_objects(handler):
    @functools.wraps(handler)
    def wrapper(self):
        shrink = setting_for(S3_OBJECTS)
        if shrink is not None:
            asked = int(self.querystring.get("max-keys", ["1000"])[0])
            self.querystring["max-keys"] = [str(min(asked, shrink))]
        return handler(self)

    return wrapper


# Lists moto pages itself with AWS's tokens: the page_size setting caps the page size the handler reads.
# Route 53 ListResourceRecordSets (API_ListResourceRecordSets.html): MaxItems (default 300), IsTruncated,
# NextRecordName/NextRecordType as StartRecordName/StartRecordType of the next request.
NATIVE = (("route53.ListResourceRecordSets", "MaxItems"),)


def capped(operation: str, limit: str, handler):
    """``handler`` reading at most the page_size setting's items for its ``limit`` parameter."""

    @functools.wraps(handler)
    def wrapper(self):
        shrink = setting_for(operation)
        if shrink is not None:
            original = self._get_int_param

            def _get_int_param(name, if_none=None):
                value = original(name, if_none)
                return min(int(value), shrink) if name == limit and value is not None else value

            self._get_int_param = _get_int_param
        return handler(self)

    wrapper.__wrapped__ = handler
    return wrapper


# (response class, handler method name, how it pages, the page of a list: items by default)
PAGED = (
    (ElastiCacheResponse, "describe_snapshots", ELASTICACHE_SNAPSHOTS, None),
    (BackupResponse, "list_recovery_points_by_backup_vault", BACKUP_RECOVERY_POINTS, None),
    (CloudWatchResponse, "get_metric_data", METRIC_DATA, metric_data_page),
    (RDSResponse, "describe_db_clusters", RDS_CLUSTERS, None),
    (RDSResponse, "describe_global_clusters", RDS_GLOBAL_CLUSTERS, None),  # after global_failover's handler
    (CloudFormationResponse, "describe_stack_events", STACK_EVENTS, None),
    *(
        (RESPONSES[name.split(".")[0]], botocore.xform_name(name.split(".")[1]), from_model(name), None)
        for name in GENERIC
    ),
)


class _Page:
    """A model object as moto's serializer reads it, with its list cut to one page and the next page's token."""

    def __init__(self, model: Any, members: dict[str, Any]) -> None:
        overrides = {**members, **{botocore.xform_name(name): value for name, value in members.items()}}
        object.__setattr__(self, "_model", model)
        object.__setattr__(self, "_overrides", overrides)

    @property  # the serializer's aliases look at the class name (ChangeSetName -> Name of a ChangeSet)
    def __class__(self):
        return type(object.__getattribute__(self, "_model"))

    def __getattr__(self, name: str) -> Any:
        overrides = object.__getattribute__(self, "_overrides")
        if name in overrides:
            return overrides[name]
        return getattr(object.__getattribute__(self, "_model"), name)


def _hide(response, names: tuple[str, ...]) -> None:
    """The request without ``names`` (token and page size), wherever moto's handler would read them."""
    params = getattr(response, "params", None)
    if isinstance(params, dict):
        for name in names:
            params.pop(name, None)
    querystring = getattr(response, "querystring", None)
    if isinstance(querystring, dict):
        for name in names:
            querystring.pop(name, None)
    body = getattr(response, "body", None)
    if isinstance(body, str) and body.lstrip().startswith("{"):
        try:
            document = json.loads(body)
        except ValueError:
            return
        if isinstance(document, dict) and any(name in document for name in names):
            response.body = json.dumps({k: v for k, v in document.items() if k not in names})


def paged(paging: Paging, handler, page=None):
    """``handler`` answering one page of its list, with the next page's token."""
    page = page or paging.page

    @functools.wraps(handler)
    def wrapper(self):
        token = self._get_param(paging.request_token)
        requested = self._get_param(paging.request_limit) if paging.request_limit else None
        paging.limit(requested)  # a bad limit or token is refused before anything is read
        paging.offset(token)
        if paging.hidden:
            _hide(self, paging.hidden)
        answer = handler(self)
        if isinstance(answer, ActionResult) and not isinstance(answer.result, dict):  # a model object (ChangeSet)
            items = get_value(answer.result, paging.result_key, None) or get_value(
                answer.result, botocore.xform_name(paging.result_key), None
            )
            items, next_token = page(list(items or []), token, requested)
            return ActionResult(_Page(answer.result, {paging.result_key: items, paging.response_token: next_token}))
        if isinstance(answer, ActionResult):  # moto's own handlers: a result the serializer writes
            result = dict(answer.result)
            result[paging.result_key], result[paging.response_token] = page(
                list(result.get(paging.result_key) or []), token, requested
            )
            return ActionResult(result)
        body = json.loads(answer)  # our JSON handlers (backup_jobs.py)
        body[paging.result_key], next_token = page(body.get(paging.result_key) or [], token, requested)
        body.pop(paging.response_token, None)
        if next_token:
            body[paging.response_token] = next_token
        return json.dumps(body)

    wrapper.__wrapped__ = handler
    return wrapper


def install() -> None:
    """After backup_jobs.install(), whose list handler this pages."""
    for response_class, name, paging, page in PAGED:
        setattr(response_class, name, paged(paging, getattr(response_class, name), page))
    S3Response.all_buckets = list_buckets
    S3Response.list_objects_v2 = capped_objects(S3Response.list_objects_v2)
    for operation, limit in NATIVE:
        response_class = Route53 if operation.startswith("route53.") else None
        name = botocore.xform_name(operation.split(".")[1])
        setattr(response_class, name, capped(operation, limit, getattr(response_class, name)))


def paged_operations() -> set[str]:
    """Every operation the emulator pages (the fidelity report, its tests)."""
    return (
        {spec.operation for _cls, _name, spec, _page in PAGED}
        | {S3_BUCKETS.operation, S3_OBJECTS}
        | {op for op, _ in NATIVE}
    )
