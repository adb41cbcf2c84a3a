"""The AWX API stand-in over HTTP: AWX's documented answers for the objects the awx role manages."""

from __future__ import annotations

import base64
import json
import subprocess
import urllib.error
import urllib.request

import pytest

from emulator import awx

BASIC = "Basic " + base64.b64encode(f"{awx.USERNAME}:{awx.PASSWORD}".encode()).decode()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    running = awx.serve(workdir=tmp_path_factory.mktemp("checkouts"))
    yield running
    running.shutdown()


@pytest.fixture(scope="module")
def repo(tmp_path_factory):
    path = tmp_path_factory.mktemp("repo")
    (path / "playbooks").mkdir()
    (path / "playbooks/site.yml").write_text("- hosts: all\n  tasks: []\n")
    (path / "playbooks/vars.yml").write_text("key: value\n")  # not a playbook
    (path / "inventories").mkdir()
    (path / "inventories/hosts.yml").write_text("all: {}\n")
    git = ["git", "-C", str(path), "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "--quiet", "--initial-branch", "main"], check=True)  # noqa: S603
    subprocess.run([*git, "add", "."], check=True)  # noqa: S603
    subprocess.run([*git, "commit", "--quiet", "-m", "init"], check=True)  # noqa: S603
    return path


@pytest.fixture
def api(server):
    base = f"http://127.0.0.1:{server.server_address[1]}"

    def call(method: str, path: str, body: dict | None = None, auth: str | None = BASIC) -> tuple[int, dict]:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(base + path, data=data, method=method)  # noqa: S310 - local
        request.add_header("Content-Type", "application/json")
        if auth:
            request.add_header("Authorization", auth)
        try:
            with urllib.request.urlopen(request) as answer:  # noqa: S310
                assert answer.headers["X-API-Product-Name"] == "AWX"
                return answer.status, json.loads(answer.read() or b"{}")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"{}")

    call("POST", "/_emulator/reset")
    return call


def _org(api) -> int:
    return api("POST", "/api/v2/organizations/", {"name": "Org"})[1]["id"]


def _project(api, repo, branch="main") -> dict:
    org = _org(api)
    body = {"name": "P", "organization": org, "scm_type": "git", "scm_url": str(repo), "scm_branch": branch}
    return api("POST", "/api/v2/projects/", body)[1]


def _template(api, project: dict, **fields) -> tuple[int, dict]:
    name = fields.get("name", "T")
    inventory = api("POST", "/api/v2/inventories/", {"name": name, "organization": project["organization"]})[1]
    body = {
        "name": "T",
        "organization": project["organization"],
        "project": project["id"],
        "inventory": inventory["id"],
    }
    return api("POST", "/api/v2/job_templates/", {**body, "playbook": "playbooks/site.yml", **fields})


def test_requests_need_credentials_and_a_token_works_until_revoked(api):
    assert api("GET", "/api/v2/organizations/", auth=None)[0] == 401
    assert api("POST", "/api/v2/tokens/", {}, auth="Basic " + base64.b64encode(b"admin:wrong").decode())[0] == 401
    status, token = api("POST", "/api/v2/tokens/", {"scope": "write"})
    assert status == 201
    assert api("GET", "/api/v2/organizations/", auth=f"Bearer {token['token']}")[0] == 200
    assert api("DELETE", f"/api/v2/tokens/{token['id']}/")[0] == 204
    assert api("GET", "/api/v2/organizations/", auth=f"Bearer {token['token']}")[0] == 401


def test_names_are_unique_per_organization_and_lists_filter(api):
    org = _org(api)
    assert api("POST", "/api/v2/inventories/", {"name": "A", "organization": org})[0] == 201
    status, answer = api("POST", "/api/v2/inventories/", {"name": "A", "organization": org})
    assert status == 400 and "already exists" in answer["__all__"][0]
    assert api("POST", "/api/v2/inventories/", {"name": "B", "organization": 999})[1] == {
        "organization": ['Invalid pk "999" - object does not exist.']
    }
    found = api("GET", f"/api/v2/inventories/?or__id=A&or__name=A&organization={org}")[1]
    assert found["count"] == 1 and found["results"][0]["name"] == "A"


def test_a_project_update_clones_the_branch_and_fails_for_a_missing_one(api, repo):
    project = _project(api, repo)
    update = api("GET", f"/api/v2/project_updates/{project['summary_fields']['current_update']['id']}/")[1]
    assert update["status"] == "successful" and len(update["scm_revision"]) == 40
    missing = api("PATCH", f"/api/v2/projects/{project['id']}/", {"scm_branch": "no-such-branch"})[1]
    update = api("GET", f"/api/v2/project_updates/{missing['summary_fields']['current_update']['id']}/")[1]
    assert update["status"] == "failed" and update["failed"]


def test_job_templates_name_playbooks_of_the_checkout_only(api, repo):
    project = _project(api, repo)
    assert _template(api, project)[0] == 201
    status, answer = _template(api, project, name="U", playbook="playbooks/vars.yml")
    assert status == 400 and answer == {"playbook": ["Playbook not found for project."]}


def test_one_credential_per_type_and_secrets_read_back_encrypted(api, repo):
    project = _project(api, repo)
    template = _template(api, project)[1]
    aws_type = api("GET", "/api/v2/credential_types/?name=Amazon%20Web%20Services")[1]["results"][0]["id"]
    org = project["organization"]
    first = {
        "name": "A",
        "organization": org,
        "credential_type": aws_type,
        "inputs": {"username": "u", "password": "s3cr3t"},
    }
    status, created = api("POST", "/api/v2/credentials/", first)
    assert status == 201 and created["inputs"] == {"username": "u", "password": "$encrypted$"}
    assert api("POST", "/api/v2/credentials/", {**first, "name": "B", "inputs": {"username": "u"}})[1] == {
        "inputs": {"password": ["required for Amazon Web Services"]}
    }
    assert "is not a valid field" in json.dumps(
        api("POST", "/api/v2/credentials/", {**first, "name": "B", "inputs": {**first["inputs"], "region": "x"}})[1]
    )
    second = api("POST", "/api/v2/credentials/", {**first, "name": "C"})[1]
    assert api("POST", f"/api/v2/job_templates/{template['id']}/credentials/", {"id": created["id"]})[0] == 204
    status, answer = api("POST", f"/api/v2/job_templates/{template['id']}/credentials/", {"id": second["id"]})
    assert status == 400 and "Cannot assign multiple Amazon Web Services credentials" in answer["error"][0]


@pytest.mark.parametrize(
    ("rrule", "message"),
    [
        ("RRULE:FREQ=DAILY;INTERVAL=1", "must start with DTSTART"),
        ("DTSTART:20300101T100000Z DTSTART:20300101T100000Z RRULE:FREQ=DAILY;INTERVAL=1", "Multiple DTSTART"),
        ("DTSTART:20300101T100000Z", "RRULE required"),
        ("DTSTART:20300101T100000 RRULE:FREQ=DAILY;INTERVAL=1", "valid TZID"),
        ("DTSTART:20300101T100000Z RRULE:FREQ=MONTHLY;BYDAY=TU", "INTERVAL required"),
        ("DTSTART:20300101T100000Z RRULE:FREQ=SECONDLY;INTERVAL=1", "SECONDLY"),
        ("DTSTART:20300101T100000Z RRULE:FREQ=MONTHLY;INTERVAL=1;BYDAY=1TU", "numeric prefix"),
        ("DTSTART:20300101T100000Z RRULE:FREQ=DAILY;INTERVAL=1;COUNT=2;UNTIL=20300105T000000Z", "COUNT and UNTIL"),
        ("DTSTART:20300101T100000Z RRULE:FREQ=DAILY;INTERVAL=1;COUNT=1000", "COUNT > 999"),
    ],
)
def test_schedules_refuse_rrules_beyond_awx_limits(api, repo, rrule, message):
    template = _template(api, _project(api, repo))[1]
    status, answer = api(
        "POST", "/api/v2/schedules/", {"name": "S", "unified_job_template": template["id"], "rrule": rrule}
    )
    assert status == 400 and message in answer["rrule"][0]


def test_a_schedule_gets_its_next_run_and_only_prompted_extra_data(api, repo):
    template = _template(api, _project(api, repo))[1]
    rrule = "DTSTART;TZID=Europe/Berlin:20300101T100000 RRULE:FREQ=MONTHLY;INTERVAL=1;BYDAY=TU;BYMONTHDAY=1,2,3,4,5,6,7"
    body = {"name": "S", "unified_job_template": template["id"], "rrule": rrule}
    status, created = api("POST", "/api/v2/schedules/", body)
    assert status == 201 and created["next_run"] == "2030-01-01T09:00:00Z" and created["timezone"] == "Europe/Berlin"
    status, answer = api("POST", "/api/v2/schedules/", {**body, "name": "T", "extra_data": {"dr_drill_type": "full"}})
    assert status == 400 and "dr_drill_type provided, but not allowed" in answer["extra_data"][0]
    spec = {
        "name": "",
        "description": "",
        "spec": [{"type": "text", "question_name": "q", "variable": "dr_drill_type", "required": True}],
    }
    assert api("POST", f"/api/v2/job_templates/{template['id']}/survey_spec/", spec)[0] == 200
    api("PATCH", f"/api/v2/job_templates/{template['id']}/", {"survey_enabled": True})
    assert api("POST", "/api/v2/schedules/", {**body, "name": "T", "extra_data": {"dr_drill_type": "full"}})[0] == 201


@pytest.mark.parametrize(
    ("question", "message"),
    [
        ({"type": "dropdown"}, "allowed types"),
        ({"required": "yes"}, "expected to be a boolean"),
        ({"type": "multiplechoice"}, "needs choices"),
        ({"type": "multiplechoice", "choices": ["a", "b"], "default": "c"}, "Default choice"),
        ({"variable": None}, None),
    ],
)
def test_survey_specs_are_validated(api, repo, question, message):
    template = _template(api, _project(api, repo))[1]
    base = {"type": "text", "question_name": "q", "variable": "v", "required": False}
    spec = {"name": "", "description": "", "spec": [{**base, **question}]}
    if message is None:  # two questions with one variable
        spec["spec"] = [base, base]
        message = "duplicated"
    status, answer = api("POST", f"/api/v2/job_templates/{template['id']}/survey_spec/", spec)
    assert status == 400 and message in answer["__all__"][0]
    assert api("GET", f"/api/v2/job_templates/{template['id']}/survey_spec/")[1] == {}


def test_notification_templates_need_their_type_fields_and_hide_passwords(api):
    org = _org(api)
    body = {
        "name": "N",
        "organization": org,
        "notification_type": "slack",
        "notification_configuration": {"channels": ["#x"]},
    }
    status, answer = api("POST", "/api/v2/notification_templates/", body)
    assert status == 400 and "token" in answer["notification_configuration"][0]
    body["notification_configuration"]["token"] = "xoxb-secret"
    created = api("POST", "/api/v2/notification_templates/", body)[1]
    assert created["notification_configuration"]["token"] == "$encrypted$"


def _workflow(api, project: dict, **fields) -> dict:
    body = {"name": "W", "organization": project["organization"], **fields}
    return api("POST", "/api/v2/workflow_job_templates/", body)[1]


def test_an_approval_node_gets_its_approval_template_and_approvals_notify(api, repo):
    """AWX's approval nodes (https://ansible.readthedocs.io/projects/awx/en/latest/userguide/workflow_templates.html
    "Approval nodes"; awx/api/views WorkflowJobTemplateNodeCreateApproval): the node's create_approval_template
    makes a workflow approval template with a timeout in seconds, and it becomes the node's unified job template."""
    project = _project(api, repo)
    workflow = _workflow(api, project)
    node = api(
        "POST", "/api/v2/workflow_job_template_nodes/", {"identifier": "a", "workflow_job_template": workflow["id"]}
    )[1]
    create = node["related"]["create_approval_template"]
    assert api("GET", create)[1] == {}
    assert api("POST", create, {"name": "Approve", "timeout": "soon"}) == (
        400,
        {"timeout": ["A valid integer is required."]},
    )
    status, approval = api("POST", create, {"name": "Approve", "description": "d", "timeout": 3600})
    assert status == 201 and approval["type"] == "workflow_approval_template" and approval["timeout"] == 3600
    node = api("GET", node["url"])[1]
    assert node["unified_job_template"] == approval["id"] and node["related"]["unified_job_template"] == approval["url"]
    patched = api("PATCH", approval["url"], {"timeout": 600, "identifier": "a"})[1]
    assert patched["timeout"] == 600 and "identifier" not in patched  # not a field of approval templates: ignored
    assert api("GET", f"{approval['url']}success_nodes/")[0] == 404  # links belong to the node, not the approval
    assert api("POST", "/api/v2/workflow_approval_templates/", {"name": "x"})[0] == 405
    notification = api(
        "POST",
        "/api/v2/notification_templates/",
        {
            "name": "N",
            "organization": project["organization"],
            "notification_type": "webhook",
            "notification_configuration": {"url": "https://h"},
        },
    )[1]
    approvals = f"{workflow['url']}notification_templates_approvals/"
    assert api("POST", approvals, {"id": notification["id"]})[0] == 204
    assert [n["id"] for n in api("GET", approvals)[1]["results"]] == [notification["id"]]


def test_a_node_passes_only_variables_its_job_template_prompts_for(api, repo):
    project = _project(api, repo)
    template = _template(api, project)[1]
    workflow = _workflow(api, project)
    body = {"identifier": "run", "workflow_job_template": workflow["id"], "unified_job_template": template["id"]}
    status, answer = api("POST", "/api/v2/workflow_job_template_nodes/", {**body, "extra_data": {"confirm": "x"}})
    assert status == 400 and "confirm provided, but not allowed" in answer["extra_data"][0]
    api("PATCH", template["url"], {"ask_variables_on_launch": True})
    assert api("POST", "/api/v2/workflow_job_template_nodes/", {**body, "extra_data": {"confirm": "x"}})[0] == 201


def test_a_schedule_exception_leaves_its_days_out_and_needs_an_interval(api, repo):
    """AWX's schedule exceptions (awx/docs/schedules.md: "Every day except for April 30th" with EXRULE; EXRULE is
    held to the limits of every rule, INTERVAL included, by SchedulePreviewSerializer.validate_rrule)."""
    template = _template(api, _project(api, repo))[1]
    rule = "DTSTART:20300101T100000Z RRULE:FREQ=DAILY;INTERVAL=1 EXRULE:FREQ=DAILY;INTERVAL=1;BYMONTH=1;BYMONTHDAY=1,2"
    body = {"name": "S", "unified_job_template": template["id"], "rrule": rule}
    status, created = api("POST", "/api/v2/schedules/", body)
    assert status == 201 and created["dtstart"] == "2030-01-03T10:00:00Z"
    status, answer = api(
        "POST", "/api/v2/schedules/", {**body, "name": "T", "rrule": rule.replace("INTERVAL=1;BYMONTH", "BYMONTH")}
    )
    assert status == 400 and "INTERVAL required" in answer["rrule"][0]


def test_a_launch_of_a_check_mode_template_is_accepted_as_awx_accepts_it(api, repo):
    """AWX's launch (https://ansible.readthedocs.io/projects/awx/en/latest/userguide/job_templates.html "Launch a job
    template"; JobLaunchSerializer): required survey answers must be given, variables only where prompted."""
    template = _template(api, _project(api, repo), job_type="check")[1]
    launch = template["related"]["launch"]
    status, answer = api("POST", launch, {"extra_vars": {"failover_to": "dr"}})
    assert status == 400 and "not allowed on launch" in answer["extra_vars"][0]
    spec = {
        "name": "",
        "description": "",
        "spec": [{"type": "text", "question_name": "q", "variable": "failover_to", "required": True}],
    }
    api("POST", f"{template['url']}survey_spec/", spec)
    api("PATCH", template["url"], {"survey_enabled": True})
    assert api("POST", launch, {}) == (400, {"variables_needed_to_start": ["'failover_to' value missing"]})
    status, job = api("POST", launch, {"extra_vars": {"failover_to": "dr"}})
    assert status == 201 and (job["job_type"], job["status"], job["job_template"]) == (
        "check",
        "pending",
        template["id"],
    )
    assert api("GET", f"/api/v2/jobs/{job['job']}/")[1]["extra_vars"] == '{"failover_to": "dr"}'
