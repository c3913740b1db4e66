"""The package as a list repository gets it: build the sdist and the wheel (the wheel from the
sdist, as pip does), check both hold what the installed command reads at run time, install the
wheel into a fresh virtual environment and run the README's first command from an empty folder.

Offline: no build isolation (the backend comes from the dev extra), ``--no-index`` installs, and
every child process carries the network guard (a ``sitecustomize`` that loads tests/netguard.py).
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

pytestmark = pytest.mark.installed

ROOT = Path(__file__).resolve().parents[1]
NETGUARD = ROOT / "tests" / "netguard.py"
BLOCKED = "packaging-netguard: blocked"
# Copied into the build folder: what a clone holds, without what a build or a run leaves behind.
JUNK = shutil.ignore_patterns(
    ".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".*_cache", "triagebot-offline", "previews"
)


@dataclass(frozen=True)
class Built:
    sdist: Path
    wheel: Path
    env: dict[str, str]  # the guarded environment of every child process


def _guard(folder: Path) -> dict[str, str]:
    """An environment whose Python processes may only reach loopback, and see no checkout."""
    folder.mkdir()
    (folder / "sitecustomize.py").write_text(
        "import importlib.util, sys\n"
        f"spec = importlib.util.spec_from_file_location('_netguard', {str(NETGUARD)!r})\n"
        "guard = importlib.util.module_from_spec(spec)\n"
        "spec.loader.exec_module(guard)\n"
        "def _refuse(what):\n"
        f"    print({BLOCKED!r}, what, file=sys.stderr, flush=True)\n"
        f"    return OSError({BLOCKED!r} + ' ' + what)\n"
        "guard.install(_refuse)\n",
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "PIP_", "VIRTUAL_ENV"))}
    env.update(PYTHONPATH=str(folder), PIP_NO_INDEX="1", PIP_DISABLE_PIP_VERSION_CHECK="1")
    return env


def _check(args: list[str], *, cwd: Path, env: dict[str, str], timeout: int = 300) -> str:
    result = subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, check=False, timeout=timeout
    )
    assert BLOCKED not in result.stderr, result.stderr[-3000:]
    assert result.returncode == 0, (args, result.stdout[-3000:], result.stderr[-3000:])
    return result.stdout


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    missing = [module for module in ("build", "setuptools") if importlib.util.find_spec(module) is None]
    if missing:
        pytest.skip(f"{', '.join(missing)} not installed (pip install -e '.[dev]')")
    work = tmp_path_factory.mktemp("packaging")
    env = _guard(work / "guard")
    source = work / "source"
    shutil.copytree(ROOT, source, symlinks=True, ignore=JUNK)
    dist = work / "dist"
    _check(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(dist), str(source)],
        cwd=work,
        env=env,
    )
    (sdist,) = dist.glob("triagebot-*.tar.gz")
    (wheel,) = dist.glob("triagebot-*.whl")
    return Built(sdist, wheel, env)


def _package_data() -> set[str]:
    """Every file the package reads at run time: prompts, the offline bundle, the type marker."""
    package = ROOT / "triagebot"
    files = {p.relative_to(ROOT).as_posix() for p in (package / "data").rglob("*") if p.is_file()}
    return files | {"triagebot/py.typed"}


def test_the_package_data_is_what_the_command_needs() -> None:
    data = _package_data()
    for needed in (
        "triagebot/data/prompts/classify.md",
        "triagebot/data/prompts/screen.md",
        "triagebot/data/offline/triagebot.toml",
        "triagebot/data/offline/awesome-xad.md",
    ):
        assert needed in data
    assert any(name.startswith("triagebot/data/offline/recordings/") for name in data)
    assert any(name.startswith("triagebot/data/offline/arxiv/") for name in data)


def test_the_wheel_holds_every_module_and_data_file_and_the_command(built: Built) -> None:
    with zipfile.ZipFile(built.wheel) as wheel:
        names = set(wheel.namelist())
        (entry_points,) = [n for n in names if n.endswith(".dist-info/entry_points.txt")]
        scripts = wheel.read(entry_points).decode()
    modules = {p.relative_to(ROOT).as_posix() for p in (ROOT / "triagebot").rglob("*.py")}
    missing = (modules | _package_data()) - names
    assert not missing, sorted(missing)
    assert "triagebot = triagebot.cli:main_entry" in scripts
    assert not [n for n in names if n.startswith(("tests/", "examples/", "benchmarks/"))]


def test_the_sdist_holds_the_package_and_builds_the_wheel(built: Built) -> None:
    with tarfile.open(built.sdist) as sdist:
        names = {name.split("/", 1)[1] for name in sdist.getnames() if "/" in name}
    missing = ({"pyproject.toml", "README.md"} | _package_data()) - names
    assert not missing, sorted(missing)


def test_the_installed_wheel_runs_offline_from_an_empty_folder(built: Built, tmp_path: Path) -> None:
    """A fresh venv holds only the wheel; its dependencies are borrowed from this environment by a
    path file (listed after the venv's own site-packages, so a triagebot there could not shadow it)."""
    venv = tmp_path / "venv"
    _check([sys.executable, "-m", "venv", "--without-pip", str(venv)], cwd=tmp_path, env=built.env)
    python = venv / "bin" / "python"
    purelib = Path(
        _check(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            cwd=tmp_path,
            env=built.env,
        ).strip()
    )
    pip = [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index"]
    _check([*pip, str(built.wheel)], cwd=tmp_path, env=built.env)
    # after the install: with this environment's triagebot in sight, pip would skip the wheel
    borrowed = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (purelib / "borrowed-dependencies.pth").write_text("\n".join(sorted(borrowed)) + "\n", encoding="utf-8")

    empty = tmp_path / "empty"
    empty.mkdir()
    where = _check(
        [str(python), "-c", "import triagebot; print(triagebot.__file__)"], cwd=empty, env=built.env
    )
    assert where.strip().startswith(str(purelib)), where  # the wheel, not this checkout
    out = _check(
        [str(venv / "bin" / "triagebot"), "run", "--offline", "--report", "report.json"],
        cwd=empty,
        env=built.env,
    )
    assert "PR previews:" in out
    report = json.loads((empty / "report.json").read_text(encoding="utf-8"))
    previews = sorted((empty / "triagebot-offline" / "previews").iterdir())
    assert report["fetched"] == 98 and not report["errors"]
    assert len(previews) == report["proposed"] > 0
    assert sorted(p.name for p in empty.iterdir()) == ["report.json", "triagebot-offline"]
    # the README's dry run form, a relative preview folder, through the installed command
    out = _check(
        [str(venv / "bin" / "triagebot"), "run", "--offline", "--publish", "dir:previews", "--state", "s2"],
        cwd=empty,
        env=built.env,
    )
    assert "PR previews: previews" in out and "error:" not in out
    assert len(list((empty / "previews").iterdir())) == len(previews)
