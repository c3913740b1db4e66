"""The nightly run with every service healthy, and configuration errors that stop it before any work."""

from __future__ import annotations

from tests.e2e.conftest import MakeWorld
from tests.e2e.harness import IN_LIST, IRRELEVANT, RELEVANT, World


def test_clean_night_opens_one_pr_per_relevant_paper_and_a_rerun_does_nothing(make_world: MakeWorld) -> None:
    world = make_world(record=True)  # [llm] record_dir set: the recordings are scanned for secrets too
    first = world.run()
    assert first.code == 0, first.describe()
    outcomes = first.outcomes
    assert outcomes[IN_LIST] == "duplicate"
    assert all(outcomes[i] == "published" for i in RELEVANT)
    assert all(outcomes[i] == "rejected_by_model" for i in IRRELEVANT)
    assert len(world.github.pulls) == len(RELEVANT)
    for pr in world.github.pulls.values():
        assert pr.head.startswith("triagebot/") and pr.labels == ["triagebot"]
        readme = world.github.file("README.md", pr.head)
        assert readme is not None and readme.count(pr.head.removeprefix("triagebot/")) == 1
    assert world.github.file("README.md") == world.github.file("README.md", "main")  # base untouched
    assert world.summary_path.read_text(encoding="utf-8").strip()  # the step summary was written
    world.check()


def test_bad_configuration_is_exit_2_before_any_work(make_world: MakeWorld) -> None:
    world = make_world()
    unknown_key = world.root / "unknown-key.toml"
    unknown_key.write_text("[llm]\nmodle = 'gpt-4o-mini'\n", encoding="utf-8")
    bad_value = world.root / "bad-value.toml"
    bad_value.write_text("[arxiv]\ntimeout = -1\n", encoding="utf-8")
    runs = [
        (world.run(config=unknown_key), "unknown key 'llm.modle'"),
        (world.run(config=bad_value), "'arxiv.timeout'"),
        (world.run(env={"GITHUB_TOKEN": ""}), "GITHUB_TOKEN"),
        (world.run(env={"OPENAI_API_KEY": ""}), "OPENAI_API_KEY"),
        (world.run("--since", "2025-08-22"), "--since"),  # after --until: a usage error
        (world.run("--max-papers", "-1"), "--max-papers"),
    ]
    for result, words in runs:
        assert result.code == 2, result.describe()
        assert words in result.stderr, result.describe()
    # "before any work": no service was asked anything and no state was written.
    assert not world.arxiv.requests and not world.openai.requests and not world.github.requests
    assert not world.state_dir.exists()
    # The same world with a good configuration then runs clean.
    world.settle()


def test_a_missing_list_file_on_github_is_a_one_line_error_and_nothing_else(make_world: MakeWorld) -> None:
    world: World = make_world()
    result = world.run("--list", "NOPE.md")
    assert result.code == 1, result.describe()
    assert "NOPE.md not found" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert not world.arxiv.requests and not world.openai.requests and not world.github.writes()
    world.settle()
