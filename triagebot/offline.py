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

from triagebot.config import Config, load_config

OFFLINE_DIR = "triagebot-offline"


def bundle_dir() -> Path:
    """The folder of offline recordings inside the installed package."""
    return Path(str(resources.files("triagebot") / "data" / "offline"))


def offline_setup(args: argparse.Namespace, config: Config, cwd: Path) -> tuple[argparse.Namespace, Config]:
    """The arguments and config of an offline run: bundled inputs wherever an argument names none."""
    args = argparse.Namespace(**vars(args))  # the caller's arguments stay as given
    bundle = bundle_dir()
    if args.config is None:  # the recordings were made with the bundled config's prompts
        config = load_config(bundle / "triagebot.toml")
    work = cwd / OFFLINE_DIR
    if not args.list:
        args.list = str(work / "README.md")
        if not Path(args.list).exists():  # the offline run edits its own copy of the list
            work.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(bundle / "awesome-xad.md", args.list)
    args.publish = args.publish or f"dir:{work / 'previews'}"
    args.state = args.state or str(work / "state")
    args.source = args.source or [str(bundle / "arxiv")]
    args.llm = args.llm or "replay"
    args.run_id = "offline"
    llm = config.llm.model_copy(update={"replay_dir": str(bundle / "recordings")})
    return args, config.model_copy(update={"llm": llm})
