"""`triagebot run --offline`: the whole job on recordings shipped inside the package.

Recorded arXiv responses (a cs.CV announcement feed and its id-list lookup), recorded model
exchanges replayed by prompt version, and the Awesome-XAD list; previews are written with the
``dir:`` publisher into ``./triagebot-offline/``. No network, no keys.
"""

from __future__ import annotations

import argparse
import shutil
from importlib import resources
from pathlib import Path
from typing import Any

from triagebot.config import Config, load_config
from triagebot.pipeline import RunOptions

OFFLINE_DIR = "triagebot-offline"


def bundle_dir() -> Path:
    """The folder of offline recordings inside the installed package."""
    return Path(str(resources.files("triagebot") / "data" / "offline"))


def offline_setup(args: argparse.Namespace, config: Config | None, cwd: Path) -> dict[str, Any]:
    """The run plan for --offline: bundled inputs unless an argument names others."""
    from triagebot.adapters.arxiv_sources import build_sources
    from triagebot.adapters.classifiers import build_classifier
    from triagebot.adapters.publishers import build_publisher
    from triagebot.adapters.state_jsonl import JsonlStateStore

    bundle = bundle_dir()
    if args.config is None:  # the recordings were made with the bundled config's prompts
        config = load_config(bundle / "triagebot.toml")
    assert config is not None
    work = cwd / OFFLINE_DIR
    list_path = Path(args.list) if args.list else work / "README.md"
    if not args.list and not list_path.exists():
        work.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(bundle / "awesome-xad.md", list_path)
    previews = args.publish or f"dir:{work / 'previews'}"
    state_dir = Path(args.state) if args.state else work / "state"
    llm = config.llm.model_copy(update={"replay_dir": str(bundle / "recordings")})
    options = RunOptions(
        run_id="offline",
        list_path=str(list_path),
        since=args.since,
        until=args.until,
        ids=tuple(args.ids or ()),
        max_papers=args.max_papers,
        audit_path=state_dir / "exchanges.jsonl",
        previews=previews.removeprefix("dir:") if previews.startswith("dir:") else None,
    )
    return {
        "config": config,
        "options": options,
        "source": build_sources(args.source or [str(bundle / "arxiv")], config.arxiv),
        "classifier": build_classifier(args.llm or "replay", llm),
        "publisher": build_publisher(previews, config.publish, list_path=list_path),
        "state": JsonlStateStore(state_dir),
    }
