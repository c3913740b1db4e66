"""`triagebot run --offline`: the whole job on recordings shipped inside the package.

Recorded arXiv responses (a cs.CV announcement feed and its id-list lookup), recorded model
exchanges replayed by prompt version, and the Awesome-XAD list; previews are written with the
``dir:`` publisher into ``./triagebot-offline/``. No network, no keys.
"""

from __future__ import annotations

import shutil
from dataclasses import replace
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from triagebot.config import Config, load_config

if TYPE_CHECKING:
    from triagebot.commands.run import RunArgs

OFFLINE_DIR = "triagebot-offline"


def bundle_dir() -> Path:
    """The folder of offline recordings inside the installed package."""
    return Path(str(resources.files("triagebot") / "data" / "offline"))


def offline_setup(args: RunArgs, config: Config, cwd: Path) -> tuple[RunArgs, Config]:
    """The arguments and config of an offline run: bundled inputs wherever an argument names none.

    Returns an edited copy; the caller's arguments stay as given."""
    bundle = bundle_dir()
    if args.config is None:  # the recordings were made with the bundled config's prompts
        config = load_config(bundle / "triagebot.toml")
    work = cwd / OFFLINE_DIR
    list_path = args.list
    if not list_path:
        list_path = str(work / "README.md")
        if not Path(list_path).exists():  # the offline run edits its own copy of the list
            work.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(bundle / "awesome-xad.md", list_path)
    edited = replace(
        args,
        list=list_path,
        publish=args.publish or f"dir:{work / 'previews'}",
        state=args.state or str(work / "state"),
        source=args.source or (str(bundle / "arxiv"),),
        llm=args.llm or "replay",
        run_id="offline",
    )
    llm = config.llm.model_copy(update={"replay_dir": str(bundle / "recordings")})
    return edited, config.model_copy(update={"llm": llm})
