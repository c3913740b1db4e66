"""Benchmark: the README's first command, `triagebot run --offline`, cold and as a rerun.

Runs the CLI as a subprocess in a fresh temporary folder (imports included, as a newcomer sees it)
and prints wall time, papers, previews and the model usage the report records.

    python benchmarks/bench_offline.py
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_once(cwd: Path, name: str) -> tuple[float, dict[str, object]]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "triagebot", "--quiet", "run", "--offline", "--report", name],
        cwd=cwd,
        env=env,
        check=True,
        capture_output=True,
    )
    elapsed = time.perf_counter() - started
    report: dict[str, object] = json.loads((cwd / name).read_text(encoding="utf-8"))
    return elapsed, report


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        cwd = Path(tmp)
        for label, name in (("first run", "first.json"), ("rerun", "second.json")):
            elapsed, report = run_once(cwd, name)
            llm = report["llm"]
            assert isinstance(llm, dict)
            print(
                f"{label:9}  {elapsed:5.2f} s  fetched {report['fetched']}  proposed {report['proposed']}  "
                f"model calls {llm['calls']}  tokens {llm['input_tokens']}+{llm['output_tokens']}"
            )
        previews = len(list((cwd / "triagebot-offline" / "previews").iterdir()))
        print(f"previews written: {previews} (target: the whole run under a minute, rerun writes none)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
