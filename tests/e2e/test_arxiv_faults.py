"""arXiv misbehaving under the whole pipeline: retried when it can be, nothing lost when it cannot."""

from __future__ import annotations

from tests.e2e.conftest import MakeWorld
from tests.e2e.harness import SLOW
from tests.servers.arxiv_server import Fault


def test_transient_arxiv_faults_are_retried_and_the_night_completes(make_world: MakeWorld) -> None:
    world = make_world()
    # Each request may fail up to max_retries (3) times; every fault below must be used.
    world.arxiv.script(
        Fault.http(429, retry_after="0"),
        Fault(reset=True),
        Fault(delay=SLOW),  # longer than the client's timeout
        kind="feed",
    )
    world.arxiv.script(
        Fault(html=True),  # arXiv's "busy" page with a 200
        Fault(truncate=0.5),  # truncated XML
        Fault.http(503, retry_after="0"),
        kind="api",
    )
    first = world.run()
    assert first.code == 0, first.describe()
    assert not world.arxiv.pending_faults
    assert [r.fault is None for r in world.arxiv.requests_of("feed")] == [False, False, False, True]
    assert first.report is not None and first.report["fetched"] == len(world.papers)
    world.check()


def test_arxiv_down_all_night_loses_nothing_and_the_next_run_catches_up(make_world: MakeWorld) -> None:
    world = make_world()
    world.arxiv.script(*[Fault.http(500)] * 4, kind="feed")  # every try fails
    down = world.run()
    assert down.code == 1, down.describe()
    assert down.report is not None and down.report["fetched"] == 0
    assert [e["stage"] for e in down.report["errors"]] == ["fetch"]
    assert down.model_calls == 0 and down.github_writes == 0
    assert not (world.state_dir / "cursor.json").exists()  # the window is not marked done
    world.settle()


def test_lookup_failing_mid_night_keeps_feed_only_papers_and_reruns_heal(make_world: MakeWorld) -> None:
    world = make_world()
    world.arxiv.script(Fault(short_read=True), *[Fault(truncate=0.3)] * 3, kind="api")  # all 4 tries
    partial = world.run()
    assert partial.code == 1, partial.describe()
    assert partial.report is not None and partial.report["fetched"] == len(world.papers)
    assert [e["stage"] for e in partial.report["errors"]] == ["fetch"]
    world.settle()
