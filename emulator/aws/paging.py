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

The token names are those of botocore's paginator models (``paginators-1.json``: input and output token).

Setting ``page_size`` (POST ``/_emulator/config``) shrinks the pages for tests, so that a test needs a
few items, not 51, to make a second page: a number for every list above, or
``{"<service>.<Action>": n}`` for some of them. A page then holds at most that many items (data points
for GetMetricData), whatever the request asks for; the request's own limit is still checked against
AWS's bounds.

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

from moto.backup.responses import BackupResponse
from moto.cloudformation.exceptions import ValidationError as CloudFormationValidationError
from moto.cloudformation.responses import CloudFormationResponse
from moto.cloudwatch.exceptions import InvalidParameterValue as CloudWatchInvalidParameterValue
from moto.cloudwatch.responses import CloudWatchResponse
from moto.core.responses import ActionResult
from moto.elasticache.exceptions import InvalidParameterValueException as ElastiCacheInvalidParameterValue
from moto.elasticache.responses import ElastiCacheResponse
from moto.rds.exceptions import InvalidParameterValue as RDSInvalidParameterValue
from moto.rds.responses import RDSResponse

from emulator.aws.backup_api import InvalidParameterValueException as BackupInvalidParameterValue
from emulator.aws.control import STATE

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
    """The page_size setting that applies to ``operation``, if any."""
    setting = STATE.settings.get(SETTING)
    if isinstance(setting, dict):
        setting = setting.get(operation)
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


# (response class, handler method name, how it pages, the page of a list: items by default)
PAGED = (
    (ElastiCacheResponse, "describe_snapshots", ELASTICACHE_SNAPSHOTS, None),
    (BackupResponse, "list_recovery_points_by_backup_vault", BACKUP_RECOVERY_POINTS, None),
    (CloudWatchResponse, "get_metric_data", METRIC_DATA, metric_data_page),
    (RDSResponse, "describe_db_clusters", RDS_CLUSTERS, None),
    (RDSResponse, "describe_global_clusters", RDS_GLOBAL_CLUSTERS, None),  # after global_failover's handler
    (CloudFormationResponse, "describe_stack_events", STACK_EVENTS, None),
)


def paged(paging: Paging, handler, page=None):
    """``handler`` answering one page of its list, with the next page's token."""
    page = page or paging.page

    @functools.wraps(handler)
    def wrapper(self):
        token = self._get_param(paging.request_token)
        requested = self._get_param(paging.request_limit) if paging.request_limit else None
        paging.limit(requested)  # a bad limit or token is refused before anything is read
        paging.offset(token)
        answer = handler(self)
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
