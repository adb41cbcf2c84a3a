# -*- coding: utf-8 -*-
# Copyright: AI Model Registry Platform Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""One AWS client helper for every module and action plugin of the collection.

``ApiClients`` hands out one recording client per (service, region). Each call is recorded as
``service.Action`` in ``api_calls`` (the modules return that list), throttling is retried, and lists
are read with botocore's own paginators, which know each operation's token name (``NextToken``,
``Marker``, ...), limit key and result key, so no module follows a token by hand.

It takes a factory ``make(service, region) -> boto3 client``: the collection's modules, which run on the controller
(plugin_utils/controller_module.py), and its other action plugins use clients of a boto3 session retried by
botocore's standard mode; an AnsibleAWSModule's ``client`` (``module_clients``) adds amazon.aws's retry decorator.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import functools

# Error codes that mean "slow down": every service's throttling code, as botocore's standard retry mode lists
# them (botocore.retries.standard; a unit test compares the two).
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


@functools.lru_cache(maxsize=None)
def _paginator_models(service, api_version):
    """The paginator models (``paginators-1.json``) of a service, as botocore ships them."""
    import botocore.session

    return botocore.session.get_session().get_paginator_model(service, api_version)


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
        """One API call, e.g. ``call("DescribeStacks", StackName=name)``; the response as boto3 gives it.

        The call is recorded before it is made: a call that fails is in ``api_calls`` too."""
        self.api_calls.append("%s.%s" % (self.service, action))
        if self._aws_retry:
            return self._method(action)(aws_retry=True, **params)
        return self._method(action)(**params)

    def can_paginate(self, action):
        return self.client.can_paginate(snake_case(action))

    def paginator(self, action):
        """botocore's paginator of ``action``, whose every page request is one ``call``: recorded and retried.

        (``client.get_paginator`` would page with the bare boto3 method: amazon.aws's client wrapper hands
        paginators out unwrapped, so its pages would be neither retried nor recorded.)"""
        from botocore.paginate import Paginator

        model = self.client.meta.service_model
        return Paginator(functools.partial(self.call, action), self._paging(action), model.operation_model(action))

    def _paging(self, action):
        """The paginator model of ``action``: botocore's, else one read from the service model.

        botocore models no paginator for some operations that do page (CloudFormation's
        ``DescribeStackResourceDrifts``); their request and response carry the token, and that names it."""
        model = self.client.meta.service_model
        if self.can_paginate(action):
            return _paginator_models(model.service_name, model.api_version).get_paginator(action)
        operation = model.operation_model(action)
        request = operation.input_shape.members if operation.input_shape else {}
        response = operation.output_shape.members if operation.output_shape else {}
        for sent, received in (("NextToken", "NextToken"), ("Marker", "Marker"), ("Marker", "NextMarker")):
            if sent in request and received in response:
                config = {
                    "input_token": sent,
                    "output_token": received,
                    "result_key": sorted(name for name, shape in response.items() if shape.type_name == "list"),
                }
                for limit in ("MaxResults", "MaxRecords", "MaxItems"):
                    if limit in request:
                        config["limit_key"] = limit
                        break
                return config
        raise ValueError("%s.%s is not a paginated operation: use call()" % (self.service, action))

    def result_key(self, action, key=None):
        """The result key ``paginate`` reads: ``key``, which must be one of the paginator model's result keys,
        or the model's only result key. An operation with several (``GetMetricData``) needs ``key``."""
        keys = [k.expression for k in self.paginator(action).result_keys or []]
        if key is None:
            if len(keys) != 1:
                raise ValueError("%s.%s has result keys %s: name the one to read" % (self.service, action, keys))
            return keys[0]
        if key not in keys:
            raise ValueError("%s is not a result key of %s.%s (%s)" % (key, self.service, action, keys))
        return key

    def pages(self, action, page_size=None, **params):
        """Every page of a list operation, as botocore's paginator follows its token (one recorded call a page).

        ``page_size`` sets the operation's limit key (``MaxRecords``, ``MaxResults``, ...)."""
        config = {"PageSize": page_size} if page_size else {}
        return iter(self.paginator(action).paginate(PaginationConfig=config, **params))

    def paginate(self, action, key=None, page_size=None, **params):
        """All items of a list operation, read from every page; ``key`` as ``result_key`` takes it."""
        import jmespath

        expression = jmespath.compile(self.result_key(action, key))
        items = []
        for page in self.pages(action, page_size=page_size, **params):
            items.extend(expression.search(page) or [])
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
    """The clients of an ``AnsibleAWSModule``: its credentials and endpoint, amazon.aws's jittered retries.

    ``clients(service, None)`` is a client of the module's own region. A module run on the controller
    (plugin_utils/controller_module.py) hands out clients that retry with botocore's standard mode."""
    if getattr(module, "botocore_retries", False):
        return ApiClients(lambda service, region: module.client(service, region=region or module.region))
    from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

    retry = AWSRetry.jittered_backoff(retries=10, catch_extra_error_codes=list(THROTTLING_CODES))

    def make(service, region):
        return module.client(service, region=region or module.region, retry_decorator=retry)

    return ApiClients(make, aws_retry=True)
