"""playbooks/awx_configure.yml against the AWX API stand-in (emulator/awx.py), over real HTTP."""

from __future__ import annotations

import base64
import datetime
import json
import re
import subprocess
import urllib.request
import zoneinfo

import pytest
import yaml
from dateutil import rrule

from tests.integration.ansible import playbook

PREFIX = "AI Model Registry"
# Two of the default three environments: local differs from staging only by its data (a third costs a minute).
ENVIRONMENTS = [
    {"name": "staging", "inventory": "inventories/staging/hosts.yml", "host": "registry-staging", "schedules": False},
    {
        "name": "production",
        "inventory": "inventories/production/hosts.yml",
        "host": "registry-production",
        "schedules": True,
        "approval": True,
    },
]
# A freeze in the first week of July: the monthly restore drill skips July.
BLACKOUT = {"name": "July freeze", "rrule": "FREQ=DAILY;INTERVAL=1;BYMONTH=7;BYMONTHDAY=1,2,3,4,5,6,7"}
CREDENTIALS = {
    "staging": {
        "aws": {"username": "AKIASTAGING00000", "password": "staging-aws-secret-2b8e"},
        "kubernetes": {"host": "https://k8s.staging.example.com", "bearer_token": "staging-k8s-token-c4d1"},
    },
    "production": {
        "aws": {
            "username": "AKIAPRODUCTION00",
            "password": "production-aws-secret-9e0f",
            "security_token": "production-sts-token-33aa",
        },
        "kubernetes": {"host": "https://k8s.example.com", "bearer_token": "production-k8s-token-5f6b"},
    },
}
SECRETS = [
    value
    for env in CREDENTIALS.values()
    for kind in env.values()
    for key, value in kind.items()
    if key not in ("username", "host")
]


def _configure(awx, awx_project, tmp_path, *extra: str):
    variables = tmp_path / "awx-vars.yml"
    variables.write_text(
        yaml.safe_dump(
            {
                "awx_credentials": CREDENTIALS,
                "awx_project_scm_url": str(awx_project),
                "awx_environments": ENVIRONMENTS,
                "awx_blackout_windows": [BLACKOUT],
                "awx_approval_timeout": 3600,
            }
        )
    )
    return playbook(None, "playbooks/awx_configure.yml", "-e", f"@{variables}", *extra, check=False, env=awx.env)


def _by_name(state: dict, endpoint: str) -> dict[str, dict]:
    return {o.get("name") or o.get("identifier"): o for o in state["objects"][endpoint]}


def _nodes(state: dict, workflow: dict) -> tuple[dict[str, dict], list[dict]]:
    """A workflow's nodes by identifier, and its first nodes (those no other node leads to)."""
    nodes = {
        n["identifier"]: n
        for n in state["objects"]["workflow_job_template_nodes"]
        if n["workflow_job_template"] == workflow["id"]
    }
    led_to = {
        target
        for node in nodes.values()
        for kind in ("success_nodes", "failure_nodes", "always_nodes")
        for target in state["links"].get(f"workflow_job_template_nodes/{node['id']}/{kind}", [])
    }
    return nodes, [n for n in nodes.values() if n["id"] not in led_to]


def _launch(awx, template: dict, extra_vars: dict) -> dict:
    """A launch through the API, as a person's click in AWX sends it."""
    request = urllib.request.Request(  # noqa: S310 - the local stand-in
        f"{awx.url}{template['related']['launch']}", data=json.dumps({"extra_vars": extra_vars}).encode(), method="POST"
    )
    basic = base64.b64encode(f"{awx.env['CONTROLLER_USERNAME']}:{awx.env['CONTROLLER_PASSWORD']}".encode()).decode()
    request.add_header("Authorization", f"Basic {basic}")
    request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request) as answer:  # noqa: S310
        return json.loads(answer.read())


@pytest.mark.slow(seconds=120)
def test_configures_awx_for_each_environment_and_a_second_run_changes_nothing(awx, awx_project, tmp_path):
    first = _configure(awx, awx_project, tmp_path, "-vvv")
    assert first.returncode == 0, first.stdout[-4000:]
    for secret in SECRETS:  # every credential input that is secret stays out of the -vvv output
        assert secret not in first.stdout + first.stderr
    state = awx("/_emulator/state")

    project = _by_name(state, "projects")[f"{PREFIX} infrastructure"]
    git = ["git", "-C", str(awx_project), "rev-parse", "HEAD"]
    head = subprocess.run(git, capture_output=True, text=True, check=True)  # noqa: S603
    assert project["status"] == "successful" and project["scm_revision"] == head.stdout.strip()

    sources = _by_name(state, "inventory_sources")
    inventories = _by_name(state, "inventories")
    for env in ("staging", "production"):
        source = sources[f"{PREFIX} {env} from the project"]
        assert source["source_path"] == f"inventories/{env}/hosts.yml"
        assert source["inventory"] == inventories[f"{PREFIX} {env}"]["id"]

    credentials = _by_name(state, "credentials")
    for env, kinds in CREDENTIALS.items():  # the secrets reached AWX, which shows them back encrypted
        aws = credentials[f"{PREFIX} {env} AWS"]
        assert aws["inputs"]["password"] == "$encrypted$"
        assert state["secrets"][f"credentials/{aws['id']}"]["password"] == kinds["aws"]["password"]

    templates = _by_name(state, "job_templates")
    assert (
        len(templates) == 14
    )  # preview, deploy, secrets, teardown, failover, failover preview, DR drill per environment
    notification = _by_name(state, "notification_templates")[f"{PREFIX} on-call"]
    for name, template in templates.items():
        env = name.split()[3]
        linked = state["links"][f"job_templates/{template['id']}/credentials"]
        assert sorted(linked) == sorted(
            credentials[f"{PREFIX} {env} {kind}"]["id"] for kind in ("AWS", "Kubernetes")
        ), name
        assert state["links"][f"job_templates/{template['id']}/notification_templates_error"] == [notification["id"]]
        assert template["inventory"] == inventories[f"{PREFIX} {env}"]["id"] and not template["allow_simultaneous"]
    deploy, secrets = templates[f"{PREFIX} staging deploy"], templates[f"{PREFIX} staging secrets"]
    assert (deploy["playbook"], deploy["skip_tags"]) == ("playbooks/site.yml", "k8s_secrets")
    assert (secrets["playbook"], secrets["job_tags"]) == ("playbooks/site.yml", "k8s_secrets")
    # the previews: check mode with diffs, fixed by the template; AWX accepts a launch with the survey's answers
    for name, playbook_path in (("preview", "playbooks/site.yml"), ("failover preview", "playbooks/failover.yml")):
        preview = templates[f"{PREFIX} production {name}"]
        assert (preview["playbook"], preview["job_type"], preview["diff_mode"]) == (playbook_path, "check", True)
        assert not preview.get("ask_job_type_on_launch")
    failover_preview = templates[f"{PREFIX} production failover preview"]
    job = _launch(awx, failover_preview, {"failover_to": "dr", "failover_confirm": "registry-production"})
    assert (job["job_type"], job["status"]) == ("check", "pending")

    drill = templates[f"{PREFIX} production DR drill"]
    survey = state["surveys"][f"job_templates/{drill['id']}"]["spec"]
    assert drill["survey_enabled"] and [q["variable"] for q in survey] == ["dr_drill_type", "dr_drill_confirm"]
    assert survey[0]["choices"] == ["restore", "switchover", "full"]
    failover = state["surveys"][f"job_templates/{templates[f'{PREFIX} production failover']['id']}"]["spec"]
    assert {q["variable"] for q in failover} >= {"failover_action", "failover_allow_data_loss", "failover_confirm"}

    # the workflow: deploy, then on success the Secrets
    workflows = _by_name(state, "workflow_job_templates")
    nodes, first = _nodes(state, workflows[f"{PREFIX} staging deploy and secrets"])
    assert first == [nodes["deploy"]] and nodes["deploy"]["unified_job_template"] == deploy["id"]
    assert nodes["secrets"]["unified_job_template"] == secrets["id"]
    assert state["links"][f"workflow_job_template_nodes/{nodes['deploy']['id']}/success_nodes"] == [
        nodes["secrets"]["id"]
    ]

    # production's drills and failovers: a person approves first (a timeout or a denial leads nowhere), then the job
    # runs with the confirmation the approval gave; an approval that waits is announced
    approvals = {a["id"]: a for a in state["objects"]["workflow_approval_templates"]}
    for job_name, confirm in (("DR drill", "dr_drill_confirm"), ("failover", "failover_confirm")):
        guarded = workflows[f"{PREFIX} production {job_name} with approval"]
        nodes, first = _nodes(state, guarded)
        (approval,) = first
        assert approvals[approval["unified_job_template"]]["timeout"] == 3600, job_name
        links = {
            kind: state["links"].get(f"workflow_job_template_nodes/{approval['id']}/{kind}", [])
            for kind in ("success_nodes", "failure_nodes", "always_nodes")
        }
        assert links == {"success_nodes": [nodes["run"]["id"]], "failure_nodes": [], "always_nodes": []}
        run = templates[f"{PREFIX} production {job_name}"]
        assert nodes["run"]["unified_job_template"] == run["id"]
        assert nodes["run"]["extra_data"] == {confirm: "registry-production"}
        asked = [q["variable"] for q in state["surveys"][f"workflow_job_templates/{guarded['id']}"]["spec"]]
        assert guarded["survey_enabled"] and confirm not in asked and asked
        for kind in ("approvals", "error"):
            assert state["links"][f"workflow_job_templates/{guarded['id']}/notification_templates_{kind}"] == [
                notification["id"]
            ]
    assert f"{PREFIX} staging DR drill with approval" not in workflows

    # the drill schedules: enabled where drills are due, on the seed's cadence, parsed by dateutil; production's start
    # the workflow with the approval; none carries a confirmation
    schedules = _by_name(state, "schedules")
    assert len(schedules) == 6
    assert not schedules[f"{PREFIX} staging restore drill, every month"]["enabled"]
    assert (
        schedules[f"{PREFIX} staging restore drill, every month"]["unified_job_template"]
        == templates[f"{PREFIX} staging DR drill"]["id"]
    )
    production = {k: s for k, s in schedules.items() if " production " in k}
    drill_workflow = workflows[f"{PREFIX} production DR drill with approval"]
    assert all(s["enabled"] and s["unified_job_template"] == drill_workflow["id"] for s in production.values())
    assert production[f"{PREFIX} production full drill, every year"]["extra_data"] == {"dr_drill_type": "full"}
    assert not [s["name"] for s in schedules.values() if any("confirm" in key for key in s["extra_data"])]
    _assert_cadence(production)

    again = _configure(awx, awx_project, tmp_path)
    assert again.returncode == 0, again.stdout[-4000:]
    assert "changed=0" in again.stdout.split("PLAY RECAP")[-1], again.stdout[-3000:]
    assert len(awx("/_emulator/state")["objects"]["job_templates"]) == 14

    # a rotated key reaches AWX only when asked for (AWX never shows the stored one back to compare), alone by its tag
    rotated = {
        "production": {**CREDENTIALS["production"], "aws": {"username": "AKIAPRODUCTION00", "password": "rotated-9e0f"}}
    }
    only_production = json.dumps({"awx_environments": ENVIRONMENTS[1:], "awx_credentials": rotated})
    rotation = ("-e", only_production, "-e", "awx_update_credential_secrets=true", "--tags", "awx_credentials")
    assert _configure(awx, awx_project, tmp_path, *rotation).returncode == 0
    state = awx("/_emulator/state")
    aws = _by_name(state, "credentials")[f"{PREFIX} production AWS"]
    assert state["secrets"][f"credentials/{aws['id']}"]["password"] == "rotated-9e0f"


def _assert_cadence(schedules: dict[str, dict]) -> None:
    """Two years of occurrences: monthly first Tuesdays but July's (the blackout), quarterly second Tuesdays, yearly
    third Tuesday of March."""
    start = datetime.datetime(2027, 1, 1, tzinfo=zoneinfo.ZoneInfo("UTC"))
    end = start.replace(year=2029)

    def occurrences(kind: str) -> list[datetime.datetime]:
        (found,) = [s for name, s in schedules.items() if f" {kind} drill" in name]
        assert found["rrule"].endswith(f" EXRULE:{BLACKOUT['rrule']}")
        rule = rrule.rrulestr(re.sub(r" (RRULE|EXRULE):", r"\n\1:", found["rrule"]), forceset=True)
        return rule.between(start, end, inc=True)

    monthly, quarterly, yearly = occurrences("restore"), occurrences("switchover"), occurrences("full")
    assert len(monthly) == 22 and all(d.weekday() == 1 and d.day <= 7 and d.hour == 10 for d in monthly)
    assert 7 not in {d.month for d in monthly}
    assert len(quarterly) == 8 and all(d.weekday() == 1 and 8 <= d.day <= 14 for d in quarterly)
    assert [d.month for d in quarterly] == [1, 4, 7, 10] * 2
    assert [(d.year, d.month, d.weekday()) for d in yearly] == [(2027, 3, 1), (2028, 3, 1)]
    assert all(15 <= d.day <= 21 for d in yearly)


def test_a_cadence_awx_would_refuse_is_refused_before_any_controller_call(awx, awx_project, tmp_path):
    cadence = {"restore": {"every": "month", "rrule": "FREQ=MONTHLY;BYDAY=1TU"}}
    result = _configure(awx, awx_project, tmp_path, "-e", json.dumps({"awx_dr_drill_cadence": cadence}))
    assert result.returncode != 0 and "no numeric BYDAY prefix" in result.stdout
    assert awx("/_emulator/requests")["log"] == []
