# -*- coding: utf-8 -*-
# Copyright (c) 2026 AI Model Registry platform team
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of ai_model_registry.infra.route53_records: the module's logic, run on the controller
(controller_module.py); its documentation is plugins/modules/route53_records.py."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.ai_model_registry.infra.plugins.module_utils import aws_client
from ansible_collections.ai_model_registry.infra.plugins.plugin_utils.aws_session import botocore, warm
from ansible_collections.ai_model_registry.infra.plugins.plugin_utils.controller_module import ControllerModuleAction

warm("route53")

ARGUMENT_SPEC = {
    "hosted_zone_id": {"type": "str", "required": True},
    "records": {
        "type": "list",
        "elements": "dict",
        "required": True,
        "options": {
            "record": {"type": "str", "required": True},
            "type": {"type": "str", "default": "CNAME", "choices": ["CNAME", "A", "AAAA", "TXT"]},
            "ttl": {"type": "int", "default": 5},
            "value": {"type": "str", "required": True},
        },
    },
}


def fqdn(name):
    """Route 53 answers names with the final dot: ``postgresql.registry.internal.``."""
    return name if name.endswith(".") else name + "."


def record_state(record_set):
    """A record set as the comparison sees it: value(s) without final dots, and TTL."""
    if record_set is None:
        return None
    values = [r["Value"].rstrip(".") for r in record_set.get("ResourceRecords") or []]
    return {"values": values, "ttl": record_set.get("TTL")}


def wanted_state(record):
    return {"values": [record["value"].rstrip(".")], "ttl": record["ttl"]}


def held(records, record_sets):
    """``(record, what Route 53 holds of its name and type or None)`` per record."""
    found = {(fqdn(s["Name"]), s["Type"]): s for s in record_sets}
    return [(r, record_state(found.get((fqdn(r["record"]), r["type"])))) for r in records]


def differing(records, record_sets):
    """The records whose name and type Route 53 holds with another value or TTL, or not at all."""
    return [r for r, state in held(records, record_sets) if state != wanted_state(r)]


def mismatches(records, record_sets):
    """One sentence per record Route 53 does not hold as written (empty: all as expected)."""
    problems = []
    for record, state in held(records, record_sets):
        if state == wanted_state(record):
            continue
        if state is None:
            problems.append("%s %s is missing" % (record["record"], record["type"]))
        else:
            problems.append(
                "%s %s is %s (TTL %s), expected %s (TTL %s)"
                % (
                    record["record"],
                    record["type"],
                    ", ".join(state["values"]) or "empty",
                    state["ttl"],
                    record["value"],
                    record["ttl"],
                )
            )
    return problems


def change_batch(records):
    return {
        "Comment": "ai_model_registry.infra.route53_records",
        "Changes": [
            {
                "Action": "UPSERT",
                "ResourceRecordSet": {
                    "Name": fqdn(r["record"]),
                    "Type": r["type"],
                    "TTL": r["ttl"],
                    "ResourceRecords": [{"Value": r["value"]}],
                },
            }
            for r in records
        ],
    }


def diff(records, record_sets):
    """Check mode's and --diff's view: what each record is, what it becomes."""
    pairs = held(records, record_sets)
    return {
        "before": {"%s %s" % (r["record"], r["type"]): state for r, state in pairs},
        "after": {"%s %s" % (r["record"], r["type"]): wanted_state(r) for r, state in pairs},
    }


def main(module):
    zone = module.params["hosted_zone_id"].split("/")[-1]
    records = module.params["records"]
    clients = aws_client.module_clients(module)
    route53 = clients("route53", module.region or "us-east-1")

    def read(doing):
        try:
            return route53.paginate("ListResourceRecordSets", HostedZoneId=zone)
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
            module.fail_json_aws(e, msg="Could not %s of hosted zone %s" % (doing, zone), api_calls=clients.api_calls)

    before = read("read the records")
    written = differing(records, before)
    result = {"records": [r["record"] for r in written], "changed": bool(written)}
    if module._diff:
        result["diff"] = diff(written, before)
    if not written or module.check_mode:
        module.exit_json(api_calls=clients.api_calls, **result)
    try:
        route53.call("ChangeResourceRecordSets", HostedZoneId=zone, ChangeBatch=change_batch(written))
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg="Could not write the records of hosted zone %s" % zone, api_calls=clients.api_calls)
    problems = mismatches(records, read("read the records back"))
    if problems:
        module.fail_json(
            msg="Hosted zone %s does not hold the records as written: %s" % (zone, "; ".join(problems)),
            api_calls=clients.api_calls,
            **result,
        )
    module.exit_json(api_calls=clients.api_calls, **result)


class ActionModule(ControllerModuleAction):
    MODULE = {"argument_spec": ARGUMENT_SPEC, "supports_check_mode": True, "aws": True}
    main = staticmethod(main)
