#!/usr/bin/env python3
"""Introloop's quick start: needs only python3 and pip.

    python3 run.py serve [serve options]   serve Introloop on SQLite at http://127.0.0.1:8000
    python3 run.py test [pytest options]   run the whole test suite
    python3 run.py bench                   run the benchmarks; results go to docs/benchmarks.md

Both create ./.venv on first use and install Introloop into it at the exact versions in
constraints.txt; they reinstall only when pyproject.toml or constraints.txt change.
"""

import hashlib
import os
import subprocess
import sys
import venv
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / ".introloop-install"


def say(message: str) -> None:
    print(f"run.py: {message}", file=sys.stderr, flush=True)


def run(*command: str | Path, **kwargs) -> None:
    subprocess.run([str(part) for part in command], check=True, **kwargs)  # noqa: S603


def create_venv() -> None:
    say(f"creating a virtual environment in {VENV}")
    try:
        venv.create(VENV, with_pip=True)
    except subprocess.CalledProcessError:
        # Debian and Ubuntu ship venv without ensurepip unless python3-venv is installed:
        # make the environment bare, then let the system pip install pip into it.
        venv.create(VENV, with_pip=False, clear=True)
        run(sys.executable, "-m", "pip", "--python", PYTHON, "install", "--quiet", "pip")


def ensure_installed(extras: str) -> None:
    """Install Introloop (with `extras`) into .venv unless that exact set is there already."""
    if not PYTHON.exists():
        create_venv()
    digest = hashlib.sha256()
    for name in ("pyproject.toml", "constraints.txt"):
        digest.update((ROOT / name).read_bytes())
    installed = STAMP.read_text().split() if STAMP.exists() else []
    up_to_date = len(installed) == 2 and installed[0] == digest.hexdigest()
    if up_to_date and extras in ("", installed[1]):
        return
    target = f".[{extras}]" if extras else "."
    say(f"installing Introloop and its dependencies ({target})")
    run(
        PYTHON, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
        "-c", "constraints.txt", "-e", target,
        cwd=ROOT,
    )  # fmt: skip
    STAMP.write_text(f"{digest.hexdigest()} {extras or '-'}\n")


def serve(args: list[str]) -> int:
    ensure_installed("")
    introloop = BIN / "introloop"
    run(introloop, "migrate", "--verbosity", "0")
    return subprocess.call([str(introloop), "serve", *args])  # noqa: S603


def test(args: list[str]) -> int:
    ensure_installed("test")
    return subprocess.call([str(PYTHON), "-m", "pytest", *args], cwd=ROOT)  # noqa: S603


def bench(args: list[str]) -> int:
    ensure_installed("test")
    sections = []
    # Modules whose names start with "_" hold what the benchmarks share; they are not run.
    for script in sorted(p for p in (ROOT / "bench").glob("*.py") if not p.name.startswith("_")):
        say(f"running {script.relative_to(ROOT)}")
        result = subprocess.run(  # noqa: S603
            [str(PYTHON), str(script), *args], cwd=ROOT, capture_output=True, text=True
        )
        sys.stdout.write(result.stdout)
        if result.returncode:
            sys.stderr.write(result.stderr)
            return result.returncode
        sections.append(f"## {script.name}\n\n{result.stdout.strip()}\n")
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    (ROOT / "docs" / "benchmarks.md").write_text(
        "# Benchmark results\n\nLatest output of `python3 run.py bench` "
        f"({stamp}).\n\n" + "\n".join(sections)
    )
    return 0


def main() -> int:
    commands = {"serve": serve, "test": test, "bench": bench}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        print(__doc__.strip())
        return 2
    try:
        return commands[sys.argv[1]](sys.argv[2:])
    except subprocess.CalledProcessError as error:
        say(f"failed: {' '.join(map(str, error.cmd))}")
        return error.returncode or 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
