"""Write the offline bundle that `triagebot run --offline` replays: triagebot/data/offline/.

    python -m tests.tools.make_offline_bundle

- ``arxiv/``: a cs.CV announcement night (RSS 2.0) of the 98 labelled real papers, and the id-list
  API answer that completes them, rendered in arXiv's formats by the fake server's renderers;
- ``awesome-xad.md``: the Awesome-XAD README the previews edit;
- ``triagebot.toml``: the example configuration (examples/awesome-xad/), set up for an offline run;
- ``recordings/``: the model exchanges of that night, recorded through the real ``openai`` client
  against the scripted model (answers from the labels) on 127.0.0.1 — exactly what `--llm replay`
  serves. Rerun this after changing the prompts (the prompt version keys the recordings);
- ``eval-recordings/``: the same for `triagebot eval --offline` (the labelled set) and
  `triagebot eval --offline --from-list`, recorded by running exactly those commands;

and, outside the bundle, ``triagebot/data/eval/``: the labelled set (``labeled.jsonl``) and the
default negatives of `eval --from-list` (``negatives.jsonl``), from the same labelled papers.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import tempfile
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from tests.servers.arxiv_server import api_xml, labeled_papers, rss_feed_xml
from tests.servers.openai_server import OpenAIServer
from tests.servers.scripted_model import labeled_rows, scripted_model
from triagebot.adapters.llm.factory import build_llm
from triagebot.adapters.publishers.factory import build_publisher
from triagebot.adapters.sources.factory import build_sources
from triagebot.adapters.state.jsonl import JsonlStateStore
from triagebot.config import load_config
from triagebot.pipeline import RunOptions, RunPlan, run_pipeline

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
BUNDLE = ROOT / "triagebot" / "data" / "offline"
EVAL_DATA = ROOT / "triagebot" / "data" / "eval"
# The offline evaluations whose model exchanges are recorded (and replayed by `eval --offline`).
EVAL_RUNS = (("eval", "--offline"), ("eval", "--offline", "--from-list"))
FEED_DATE = datetime(2025, 3, 26, tzinfo=timezone(timedelta(hours=-4)))

OFFLINE_OVERRIDES = {
    # replayed answers come back at once: no need to pace them like GitHub Models' free tier
    'backend = "openai"\nmodel = "openai/gpt-4o-mini"': 'backend = "replay"\nmodel = "gpt-4o-mini"',
    "requests_per_minute = 15": "requests_per_minute = 100000",
    "max_papers = 60": "max_papers = 200",
    'backend = "github"': 'backend = "none" # --offline publishes previews with dir:',
    "max_open_prs = 10": "max_open_prs = 100",
    "max_new_prs = 5": "max_new_prs = 100",
}


def offline_config_text() -> str:
    text = (ROOT / "examples" / "awesome-xad" / "triagebot.toml").read_text(encoding="utf-8")
    for old, new in OFFLINE_OVERRIDES.items():
        if old not in text:
            raise SystemExit(f"triagebot.toml changed: cannot find {old!r}; update OFFLINE_OVERRIDES")
        text = text.replace(old, new)
    header = (
        "# Written by tests/tools/make_offline_bundle.py: the configuration of `triagebot run --offline`.\n"
    )
    return header + text


def write_arxiv(folder: Path) -> None:
    papers = labeled_papers(
        FIXTURES / "arxiv-papers-labeled.jsonl",
        start=datetime(2025, 3, 24, 17, tzinfo=UTC),
        step=timedelta(minutes=7),
    )
    feed = [p.model_copy(update={"announce_type": "new", "categories": ("cs.CV",)}) for p in papers]
    folder.mkdir(parents=True)
    (folder / "feed-rss-cs.CV-2025-03-26.xml").write_bytes(rss_feed_xml(feed, ["cs.CV"], FEED_DATE))
    wrapper = {
        "url": "https://export.arxiv.org/api/query?id_list=" + ",".join(p.arxiv_id for p in papers),
        "status_code": 200,
        "body": api_xml(papers, per_page=len(papers)).decode("utf-8"),
    }
    (folder / "api-idlist-cs.CV-2025-03-26.json").write_text(
        json.dumps(wrapper, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )


def record(bundle: Path) -> None:
    config = load_config(bundle / "triagebot.toml")
    os.environ["OPENAI_API_KEY"] = "sk-offline-recording"
    with (
        OpenAIServer(responder=scripted_model(labeled_rows())) as server,
        tempfile.TemporaryDirectory() as tmp,
    ):
        llm = config.llm.model_copy(
            update={"base_url": server.base_url, "record_dir": str(bundle / "recordings")}
        )
        list_path = bundle / "awesome-xad.md"
        report = run_pipeline(
            RunPlan(
                config=config,
                options=RunOptions(run_id="offline", list_path=str(list_path)),
                source=build_sources([str(bundle / "arxiv")], config.arxiv),
                llm=build_llm("openai", llm),
                publisher=build_publisher("none", config.publish, list_path=list_path),
                state=JsonlStateStore(Path(tmp)),
            )
        )
    print(report.summary_line())


def write_eval_data(folder: Path) -> None:
    """The labelled set and the default negatives (real arXiv papers, labelled by hand)."""
    labelled: list[str] = []
    negatives: list[str] = []
    for row in labeled_rows().values():
        item: dict[str, object] = {"arxiv_id": row["arxiv_id"], "label": row["label"]}
        if row["label"] == "relevant":
            item["section"] = row["section"].replace("/", " / ")
        else:
            item["negative_kind"] = row["negative_kind"]
        item["title"] = row["title"]
        line = json.dumps(item, ensure_ascii=False) + "\n"
        labelled.append(line)
        if row["label"] == "irrelevant":
            negatives.append(line)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "labeled.jsonl").write_text("".join(labelled), encoding="utf-8")
    (folder / "negatives.jsonl").write_text("".join(negatives), encoding="utf-8")


def record_eval(bundle: Path) -> None:
    """Run the offline evaluations against the scripted model, recording every exchange."""
    from triagebot.cli import main as cli
    from triagebot.commands.eval import OFFLINE_MODEL

    os.environ["OPENAI_API_KEY"] = "sk-offline-recording"
    with (
        OpenAIServer(responder=scripted_model(labeled_rows())) as server,
        tempfile.TemporaryDirectory() as tmp,
    ):
        os.environ["OPENAI_BASE_URL"] = server.base_url
        config = Path(tmp) / "triagebot.toml"  # the bundled config, under the recordings' model name
        text = (bundle / "triagebot.toml").read_text(encoding="utf-8")
        config.write_text(text.replace('model = "gpt-4o-mini"', f'model = "{OFFLINE_MODEL}"'), "utf-8")
        for run in EVAL_RUNS:
            argv = ["--quiet", *run, "--llm", "openai", "--config", str(config)]
            argv += ["--record-dir", str(bundle / "eval-recordings")]
            with contextlib.redirect_stdout(io.StringIO()):  # the summary is in eval.md
                code = cli([*argv, "--markdown", str(Path(tmp) / "eval.md")])
            print(f"triagebot {' '.join(run)}: exit {code}")
        del os.environ["OPENAI_BASE_URL"]


def main() -> None:
    if BUNDLE.exists():
        shutil.rmtree(BUNDLE)
    BUNDLE.mkdir(parents=True)
    (BUNDLE / "triagebot.toml").write_text(offline_config_text(), encoding="utf-8")
    shutil.copyfile(FIXTURES / "awesome-xad-README.md", BUNDLE / "awesome-xad.md")
    write_arxiv(BUNDLE / "arxiv")
    record(BUNDLE)
    write_eval_data(EVAL_DATA)
    record_eval(BUNDLE)


if __name__ == "__main__":
    main()
