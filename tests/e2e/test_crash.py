"""Kill -9 at every stage boundary, and from the outside mid-stage, then rerun: nothing lost, no
pull request twice, and no model call for what was already decided."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import MakeWorld
from tests.e2e.harness import CRASH_POINTS, KILLED, RELEVANT, ModelFault, World, about, nth
from tests.servers.openai_server import Reply, SeenRequest

# After these points every decision is in the log: the rerun must not ask the model again.
DECIDED_BY = {"classified", "pr-opened", "published"}


@pytest.mark.parametrize("point", CRASH_POINTS)
def test_killed_at_a_stage_boundary_then_rerun(make_world: MakeWorld, point: str) -> None:
    world = make_world(name=f"crash at {point}")
    killed = world.run(crash_at=point)
    assert killed.code == KILLED
    prs_when_killed = len(world.github.pulls)
    assert prs_when_killed == (len(RELEVANT) if point in ("pr-opened", "published") else 0)
    settled = world.settle()
    if point in DECIDED_BY:
        assert settled.model_calls == 0, f"rerun after a kill at {point} asked the model again"
    assert len(world.github.pulls) == len(RELEVANT)


def _killing(world: World) -> ModelFault:
    def fault(_request: SeenRequest) -> Reply:
        world.kill_and_drop()
        raise AssertionError("unreachable")

    return fault


def test_killed_mid_classification_then_rerun(make_world: MakeWorld) -> None:
    world = make_world(name="killed mid-classification")
    # The model is answering the second classification batch when the bot dies.
    world.model.script(_killing(world), kind="classify", when=about(RELEVANT[2]))
    killed = world.run()
    assert killed.code == KILLED
    assert not world.github.pulls
    world.settle()
    assert len(world.github.pulls) == len(RELEVANT)


def test_killed_after_a_pr_was_opened_but_before_the_bot_heard_back(make_world: MakeWorld) -> None:
    world = make_world(name="killed between opening a PR and recording it")
    # The second PR is created on GitHub; the bot dies while labelling it (its answer never read).
    world.github.before("POST", r"/issues/\d+/labels", nth(2, world.kill_and_drop))
    killed = world.run()
    assert killed.code == KILLED
    assert len(world.github.pulls) == 2
    settled = world.settle()
    assert settled.model_calls == 0
    assert len(world.github.pulls) == len(RELEVANT)
