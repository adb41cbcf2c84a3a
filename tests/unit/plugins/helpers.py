"""Stand-ins shared by the unit tests: a ControllerModule that ends by raising, a clock that sleeps at once, and a
read-only AWS action run on fake clients."""

from __future__ import annotations

from unittest import mock


class Done(Exception):
    """How a FakeModule ends: ``failed`` and the result the module would have returned."""

    def __init__(self, failed, result):
        super().__init__(result.get("msg"))
        self.failed, self.result = failed, result


class FakeModule:
    """What a module's logic uses of a ControllerModule: params, region, check mode, client() and its ends.

    ``client()`` returns the one fake client given; exit_json and fail_json(_aws) raise Done.
    """

    botocore_retries = True  # as ControllerModule's clients: module_clients adds no retry decorator

    def __init__(self, client, params, region="us-east-1", check_mode=False):
        self.params, self.region, self.check_mode, self._diff = params, region, check_mode, False
        self._client = client
        self.warnings = []

    def client(self, service, region=None, retry_decorator=None):
        return self._client

    def exit_json(self, **result):
        raise Done(False, result)

    def fail_json(self, **result):
        raise Done(True, result)

    def fail_json_aws(self, exception, **result):
        raise Done(True, result)

    def warn(self, message):
        self.warnings.append(message)


class Clock:
    """Time that passes only when the code under test sleeps: pass ``clock`` as its clock, ``clock.sleep`` as sleep."""

    def __init__(self, now=0.0):
        self.now = now

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


def action_of(plugin, args, check_mode=False, diff=False, **task):
    """The action plugin of ``plugin`` for a task with ``args``, its connection, loader and templar stand-ins."""
    return plugin.ActionModule(
        task=mock.MagicMock(args=args, check_mode=check_mode, diff=diff, async_val=0, **task),
        connection=mock.MagicMock(),
        play_context=mock.MagicMock(check_mode=check_mode),
        loader=mock.MagicMock(),
        templar=mock.MagicMock(),
        shared_loader_obj=None,
    )


def run_read_action(plugin, args, api):
    """Run an AwsReadAction plugin's task with ``args``, its AWS clients ``api`` (an ApiClients stand-in)."""
    from ansible_collections.ai_model_registry.infra.plugins.plugin_utils import aws_session

    action = action_of(plugin, args)
    with mock.patch.object(aws_session, "session_clients", return_value=api):
        return action.run(task_vars={})
