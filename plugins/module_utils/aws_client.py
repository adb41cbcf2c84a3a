# -*- coding: utf-8 -*-
# Copyright: AI Model Registry Platform Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""One AWS client helper for every module and action plugin of the collection.

``ApiClients`` hands out one recording client per (service, region). Each call is recorded as
``service.Action`` in ``api_calls`` (the modules return that list), throttling is retried, and lists
are read with botocore's own paginators, which know each operation's token name (``NextToken``,
``Marker``, ...) and result key, so no module follows a token by hand.

It takes a factory ``make(service, region) -> boto3 client`` so that modules use
``AnsibleAWSModule.client`` (with amazon.aws's retry decorator) and action plugins a boto3 session.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

# Error codes that mean "slow down": every service's throttling code, as botocore's retry handler lists them.
THROTTLING_CODES = (
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottledException",
    "TooManyRequestsException",
    "ProvisionedThroughputExceededException",
    "TransactionInProgressException",
    "RequestLimitExceeded",
    "BandwidthLimitExceeded",
    "LimitExceededException",
    "RequestThrottled",
    "SlowDown",
    "PriorRequestNotComplete",
    "EC2ThrottledException",
)


def snake_case(action):
    """``DescribeGlobalClusters`` -> ``describe_global_clusters`` (botocore's own conversion)."""
    from botocore import xform_name

    return xform_name(action)


class ApiClient(object):
    """A boto3 client of one service and region that records every call it makes."""

    def __init__(self, client, service, api_calls, aws_retry=False):
        self.client = client
        self.service = service
        self.api_calls = api_calls
        # A module's client carries amazon.aws's AWSRetry decorator, switched on per call (``aws_retry=True``);
        # an action plugin's boto3 client retries through botocore's own retry configuration.
        self._aws_retry = aws_retry

    def _method(self, action):
        return getattr(self.client, snake_case(action))

    def call(self, action, **params):
        """One API call, e.g. ``call("DescribeStacks", StackName=name)``; the response as boto3 gives it."""
        self.api_calls.append("%s.%s" % (self.service, action))
        if self._aws_retry:
            return self._method(action)(aws_retry=True, **params)
        return self._method(action)(**params)

    def can_paginate(self, action):
        return self.client.can_paginate(snake_case(action))

    def pages(self, action, page_size=None, **params):
        """Every page of a list operation, through botocore's paginator (one recorded call per page)."""
        paginator = self.client.get_paginator(snake_case(action))
        config = {"PageSize": page_size} if page_size else {}
        for page in paginator.paginate(PaginationConfig=config, **params):
            self.api_calls.append("%s.%s" % (self.service, action))
            yield page

    def paginate(self, action, key=None, page_size=None, **params):
        """All items of a list operation; ``key`` defaults to the paginator model's result key."""
        paginator = self.client.get_paginator(snake_case(action))
        if key is None:
            keys = [k.expression for k in paginator.result_keys or []]
            if len(keys) != 1:
                raise ValueError("%s has result keys %s: name the one to read" % (action, keys))
            key = keys[0]
        items = []
        for page in self.pages(action, page_size=page_size, **params):
            items.extend(page.get(key) or [])
        return items


class ApiClients(object):
    """One ``ApiClient`` per (service, region), sharing one ``api_calls`` list."""

    def __init__(self, make, aws_retry=False):
        self._make = make
        self._aws_retry = aws_retry
        self._clients = {}
        self.api_calls = []

    def __call__(self, service, region):
        key = (service, region)
        if key not in self._clients:
            self._clients[key] = ApiClient(self._make(service, region), service, self.api_calls, self._aws_retry)
        return self._clients[key]


def module_clients(module):
    """The clients of an ``AnsibleAWSModule``: its credentials and endpoint, amazon.aws's jittered retries."""
    from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

    retry = AWSRetry.jittered_backoff(retries=10, catch_extra_error_codes=list(THROTTLING_CODES))

    def make(service, region):
        return module.client(service, region=region or module.region, retry_decorator=retry)

    return ApiClients(make, aws_retry=True)
