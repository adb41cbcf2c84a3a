# -*- coding: utf-8 -*-
# Copyright (c) 2026 AI Model Registry platform team
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of ai_model_registry.infra.cloudwatch_metric_data: the module's logic, run on the controller
(controller_module.py); its documentation is plugins/modules/cloudwatch_metric_data.py."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.ai_model_registry.infra.plugins.module_utils import aws_client
from ansible_collections.ai_model_registry.infra.plugins.plugin_utils.aws_session import botocore, warm
from ansible_collections.ai_model_registry.infra.plugins.plugin_utils.controller_module import ControllerModuleAction

warm("cloudwatch")

BATCH = 1000  # PutMetricData's limit of data points per call


def metric_datum(metric):
    datum = {
        "MetricName": metric["name"],
        "Value": metric["value"],
        "Unit": metric["unit"],
        "Dimensions": [{"Name": str(k), "Value": str(v)} for k, v in sorted((metric["dimensions"] or {}).items())],
    }
    return datum


ARGUMENT_SPEC = {
    "namespace": {"type": "str", "default": "AIModelRegistry/DR"},
    "metrics": {
        "type": "list",
        "elements": "dict",
        "required": True,
        "options": {
            "name": {"type": "str", "required": True},
            "value": {"type": "float", "required": True},
            "unit": {"type": "str", "default": "None"},
            "dimensions": {"type": "dict", "default": {}},
        },
    },
}


def main(module):
    namespace = module.params["namespace"]
    if namespace.startswith("AWS/"):
        module.fail_json(msg="namespace %s is reserved for AWS services" % namespace, api_calls=[])
    data = [metric_datum(m) for m in module.params["metrics"]]
    if module.check_mode:
        module.exit_json(changed=bool(data), published=0, api_calls=[])
    clients = aws_client.module_clients(module)
    cloudwatch = clients("cloudwatch", module.region)
    for start in range(0, len(data), BATCH):
        try:
            cloudwatch.call("PutMetricData", Namespace=namespace, MetricData=data[start : start + BATCH])
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
            module.fail_json_aws(e, msg="Could not publish to %s" % namespace, api_calls=clients.api_calls)
    module.exit_json(changed=bool(data), published=len(data), api_calls=clients.api_calls)


class ActionModule(ControllerModuleAction):
    MODULE = {"argument_spec": ARGUMENT_SPEC, "supports_check_mode": True, "aws": True}
    main = staticmethod(main)
