"""The model's API misbehaving, and the model answering badly, under the whole pipeline."""

from __future__ import annotations

from tests.e2e.conftest import MakeWorld
from tests.e2e.harness import RELEVANT, SLOW, about, always, drop_connection, error_reply, schema_violation
from tests.servers.openai_server import invalid_json, rate_limited, refusal, slow, structured


def test_transient_model_api_faults_are_retried_and_the_night_completes(make_world: MakeWorld) -> None:
    world = make_world()
    # At most max_retries (2) faults per call, so every call succeeds in the end.
    world.model.script(always(rate_limited(retry_after=0)), kind="screen")
    world.model.script(error_reply(500), drop_connection, kind="classify", when=about(RELEVANT[0]))
    world.model.script(
        always(slow(structured({"decisions": []}), SLOW)),  # longer than the client's timeout
        error_reply(502),
        kind="classify",
        when=about(RELEVANT[2]),
    )
    first = world.run()
    assert first.code == 0, first.describe()
    assert world.model.pending() == 0
    assert first.report is not None and first.report["published"] == len(RELEVANT)
    world.check()


def test_malformed_answers_are_asked_again_then_recorded_as_errors_and_retried_next_run(
    make_world: MakeWorld,
) -> None:
    world = make_world()
    bad, fine = RELEVANT[0], RELEVANT[2]
    # Screen: one answer that is not JSON is asked again once (and the second answer is good).
    world.model.script(always(invalid_json()), kind="screen")
    # The batch holding `bad` breaks the schema (unknown section, confidence 1.7); asked again
    # together with the other papers left over it breaks it again, so each paper of that re-ask is
    # asked alone, and `bad` alone is refused.
    world.model.script(schema_violation, schema_violation, kind="classify", when=about(bad))
    world.model.script(always(refusal()), kind="classify", when=about(bad))
    # A batch answer that is not JSON at all, then a good one.
    world.model.script(always(invalid_json("<html>oops</html>")), kind="classify", when=about(fine))
    first = world.run()
    assert first.code == 1, first.describe()
    assert world.model.pending() == 0
    outcomes = first.outcomes
    assert outcomes[bad] == "error"
    assert all(outcomes[i] == "published" for i in RELEVANT if i != bad)
    assert first.report is not None
    assert [e["arxiv_id"] for e in first.report["errors"]] == [bad]
    assert bad not in world.prs_per_paper()  # nothing unvalidated reached GitHub
    for pr in world.github.pulls.values():
        assert "Ignore previous instructions" not in pr.body + pr.title
    settled = world.settle()
    assert settled.outcomes[bad] == "published"


def test_model_down_halfway_through_the_batches_publishes_the_first_half(make_world: MakeWorld) -> None:
    world = make_world()
    # classify_batch = 2: the relevant papers go in two batches; the second one's API is down.
    first_half, second_half = RELEVANT[:2], RELEVANT[2:]
    world.model.outage(
        error_reply(500), kind="classify", when=lambda r: any(about(i)(r) for i in second_half)
    )
    partial = world.run()
    assert partial.code == 1, partial.describe()
    outcomes = partial.outcomes
    assert all(outcomes[i] == "published" for i in first_half), outcomes
    assert all(outcomes[i] == "error" for i in second_half), outcomes
    assert partial.report is not None
    assert sorted(e["arxiv_id"] for e in partial.report["errors"]) == sorted(second_half)
    world.model.heal()
    settled = world.settle()
    assert settled.model_calls > 0  # only the failed papers were asked again
    assert all(settled.outcomes[i] == "published" for i in second_half)
    assert all(settled.outcomes[i] is None for i in first_half)  # skipped: already done
