"""The fake secrets must not show up anywhere, even when the services answer with them or the bot
is run at its most verbose. (Every scenario of the suite also scans everything; see harness.)"""

from __future__ import annotations

from tests.e2e.conftest import MakeWorld
from tests.e2e.harness import GITHUB_TOKEN, OPENAI_KEY, RELEVANT, error_reply
from tests.servers.github_server import Reply as GitHubReply
from tests.servers.openai_server import Reply


def test_most_verbose_run_logs_no_secret(make_world: MakeWorld) -> None:
    world = make_world(record=True)
    verbose = world.run(argv=world.argv(flags=["-vvv"]))  # SDK loggers at DEBUG: request logging
    assert verbose.code == 0, verbose.describe()
    assert "DEBUG" in verbose.stderr  # it really was verbose
    world.check()


def test_services_echoing_the_secrets_in_errors_leak_nothing(make_world: MakeWorld) -> None:
    world = make_world(record=True)
    # Some OpenAI-compatible servers and proxies echo the key they rejected; GitHub proxies may too.
    echo = {"error": {"message": f"Incorrect API key provided: {OPENAI_KEY}.", "type": "invalid_request"}}
    world.model.outage(lambda _request: Reply(status=401, body=echo))
    world.github.fail(
        "GET", r"/repos/acme/awesome/pulls", GitHubReply(401, {"message": f"Bad credentials: {GITHUB_TOKEN}"})
    )
    refused = world.run()
    assert refused.code == 1, refused.describe()
    assert all(refused.outcomes[i] == "error" for i in RELEVANT), refused.describe()
    world.check_secrets()  # before the healthy reruns: the failed run's outputs, state and audit log
    world.model.heal()
    world.model.script(error_reply(500))  # and once more, an ordinary failure on the way back
    world.settle()
