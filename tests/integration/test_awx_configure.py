"""playbooks/awx_configure.yml against the AWX API stand-in (emulator/awx.py), over real HTTP."""

from __future__ import annotations

import datetime
import json
import subprocess
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
    },
]
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
            {"awx_credentials": CREDENTIALS, "awx_project_scm_url": str(awx_project), "awx_environments": ENVIRONMENTS}
        )
    )
    return playbook(None, "playbooks/awx_configure.yml", "-e", f"@{variables}", *extra, check=False, env=awx.env)


def _by_name(state: dict, endpoint: str) -> dict[str, dict]:
    return {o.get("name") or o.get("identifier"): o for o in state["objects"][endpoint]}


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
    assert len(templates) == 10  # deploy, secrets, teardown, failover, DR drill per environment
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

    drill = templates[f"{PREFIX} production DR drill"]
    survey = state["surveys"][f"job_templates/{drill['id']}"]["spec"]
    assert drill["survey_enabled"] and [q["variable"] for q in survey] == ["dr_drill_type", "dr_drill_confirm"]
    assert survey[0]["choices"] == ["restore", "switchover", "full"]
    failover = state["surveys"][f"job_templates/{templates[f'{PREFIX} production failover']['id']}"]["spec"]
    assert {q["variable"] for q in failover} >= {"failover_action", "failover_allow_data_loss", "failover_confirm"}

    # the workflow: deploy, then on success the Secrets
    workflow = _by_name(state, "workflow_job_templates")[f"{PREFIX} staging deploy and secrets"]
    nodes = {
        n["identifier"]: n
        for n in state["objects"]["workflow_job_template_nodes"]
        if n["workflow_job_template"] == workflow["id"]
    }
    assert nodes["deploy"]["unified_job_template"] == deploy["id"]
    assert nodes["secrets"]["unified_job_template"] == secrets["id"]
    assert state["links"][f"workflow_job_template_nodes/{nodes['deploy']['id']}/success_nodes"] == [
        nodes["secrets"]["id"]
    ]

    # the drill schedules: enabled where drills are due, on the seed's cadence, parsed by dateutil
    schedules = _by_name(state, "schedules")
    assert len(schedules) == 6
    assert not schedules[f"{PREFIX} staging restore drill, every month"]["enabled"]
    production = {k: s for k, s in schedules.items() if " production " in k}
    assert all(s["enabled"] and s["unified_job_template"] == drill["id"] for s in production.values())
    assert production[f"{PREFIX} production full drill, every year"]["extra_data"] == {
        "dr_drill_type": "full",
        "dr_drill_confirm": "registry-production",
    }
    _assert_cadence(production)

    again = _configure(awx, awx_project, tmp_path)
    assert again.returncode == 0, again.stdout[-4000:]
    assert "changed=0" in again.stdout.split("PLAY RECAP")[-1], again.stdout[-3000:]
    assert len(awx("/_emulator/state")["objects"]["job_templates"]) == 10

    # a rotated key reaches AWX only when asked for (AWX never shows the stored one back to compare)
    rotated = {
        "production": {**CREDENTIALS["production"], "aws": {"username": "AKIAPRODUCTION00", "password": "rotated-9e0f"}}
    }
    only_production = json.dumps({"awx_environments": ENVIRONMENTS[1:], "awx_credentials": rotated})
    _configure(awx, awx_project, tmp_path, "-e", only_production, "-e", "awx_update_credential_secrets=true")
    state = awx("/_emulator/state")
    aws = _by_name(state, "credentials")[f"{PREFIX} production AWS"]
    assert state["secrets"][f"credentials/{aws['id']}"]["password"] == "rotated-9e0f"


def _assert_cadence(schedules: dict[str, dict]) -> None:
    """Two years of occurrences: monthly first Tuesdays, quarterly second Tuesdays, yearly third Tuesday of March."""
    start = datetime.datetime(2027, 1, 1, tzinfo=zoneinfo.ZoneInfo("UTC"))
    end = start.replace(year=2029)

    def occurrences(kind: str) -> list[datetime.datetime]:
        (found,) = [s for name, s in schedules.items() if f" {kind} drill" in name]
        rule = rrule.rrulestr(found["rrule"].replace(" RRULE:", "\nRRULE:"), forceset=True)
        return rule.between(start, end, inc=True)

    monthly, quarterly, yearly = occurrences("restore"), occurrences("switchover"), occurrences("full")
    assert len(monthly) == 24 and all(d.weekday() == 1 and d.day <= 7 and d.hour == 10 for d in monthly)
    assert len(quarterly) == 8 and all(d.weekday() == 1 and 8 <= d.day <= 14 for d in quarterly)
    assert [d.month for d in quarterly] == [1, 4, 7, 10] * 2
    assert [(d.year, d.month, d.weekday()) for d in yearly] == [(2027, 3, 1), (2028, 3, 1)]
    assert all(15 <= d.day <= 21 for d in yearly)


def test_a_cadence_awx_would_refuse_is_refused_before_any_controller_call(awx, awx_project, tmp_path):
    cadence = {"restore": {"every": "month", "rrule": "FREQ=MONTHLY;BYDAY=1TU"}}
    result = _configure(awx, awx_project, tmp_path, "-e", json.dumps({"awx_dr_drill_cadence": cadence}))
    assert result.returncode != 0 and "no numeric BYDAY prefix" in result.stdout
    assert awx("/_emulator/requests")["log"] == []
