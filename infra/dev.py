#!/usr/bin/env python3
"""Set up and run Jiequ on a fresh machine with only Python and git: `up` starts it, `test` tests it.

Standard library only: it creates `.venv`, installs the locked dependencies and the project into it
(again only when the lock file or pyproject changes), then hands over to the real command.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
LOCK = ROOT / "requirements.lock"
STAMP = VENV / ".jiequ-installed"
SUPPORTED = ((3, 11), (3, 12))  # durable-rules does not import on 3.13


def _python() -> str:
    """A supported interpreter: this one, or python3.12 / python3.11 from PATH."""
    if sys.version_info[:2] in SUPPORTED:
        return sys.executable
    for name in ("python3.12", "python3.11"):
        found = shutil.which(name)
        if found:
            return found
    sys.exit("需要 Python 3.11 或 3.12 / Jiequ needs Python 3.11 or 3.12 (durable-rules does not run on 3.13)")


def _fingerprint() -> str:
    digest = hashlib.sha256()
    for path in (LOCK, ROOT / "pyproject.toml"):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _run(*args: str | Path) -> None:
    print("+", " ".join(str(a) for a in args), flush=True)
    subprocess.run([str(a) for a in args], check=True, cwd=ROOT)


def ensure_environment() -> Path:
    """The virtual environment's bin folder, installed from the lock file."""
    bin_dir = VENV / "bin"
    wanted = _fingerprint()
    if STAMP.exists() and STAMP.read_text() == wanted and (bin_dir / "jiequ").exists():
        return bin_dir
    if not (bin_dir / "python").exists():
        _run(_python(), "-m", "venv", VENV)
    pip: list[str | Path] = [bin_dir / "python", "-m", "pip", "--disable-pip-version-check"]
    _run(*pip, "install", "--quiet", "-r", LOCK)
    _run(*pip, "install", "--quiet", "--no-deps", "-e", ROOT)
    STAMP.write_text(wanted)
    return bin_dir


CHROMIUM = Path("/usr/bin/chromium")
CJK_FONTS = Path("/usr/share/fonts/opentype/noto")
BROWSER_PACKAGES = ("chromium", "fonts-noto-cjk")


def ensure_browser() -> None:
    """Debian's Chromium and Chinese fonts for the browser tests: installed when missing and this is root with
    apt-get; otherwise stop and name the command."""
    if CHROMIUM.exists() and CJK_FONTS.exists():
        return
    command = "apt-get update && apt-get install -y " + " ".join(BROWSER_PACKAGES)
    apt = shutil.which("apt-get")
    if apt is None or not hasattr(os, "geteuid") or os.geteuid() != 0:
        sys.exit(
            f"浏览器测试需要 Chromium 和中文字体，请先运行 / the browser tests need Chromium and CJK fonts: "
            f"sudo sh -c '{command}'"
        )
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    print("+", command, flush=True)
    subprocess.run([apt, "update"], check=True, env=env)
    subprocess.run([apt, "install", "-y", *BROWSER_PACKAGES], check=True, env=env)


CODE_CHECKS: tuple[tuple[str, ...], ...] = (
    ("ruff", "check", "."),
    ("ruff", "format", "--check", "."),
    ("mypy",),
)
"""Run before the tests, as the pre-commit configuration runs them: lint, format and types."""


def check_code(bin_dir: Path) -> None:
    """Lint, format and type checks; the first that fails ends the run with its own output."""
    for check in CODE_CHECKS:
        print("+", " ".join(check), flush=True)
        if subprocess.run([str(bin_dir / check[0]), *check[1:]], cwd=ROOT, check=False).returncode != 0:
            sys.exit(f"检查未通过 / check failed: {' '.join(check)}")


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in ("up", "test", "setup"):
        sys.exit("usage: python3 infra/dev.py up [--port 8000] | test [pytest args] | setup")
    command, rest = sys.argv[1], sys.argv[2:]
    bin_dir = ensure_environment()
    os.chdir(ROOT)
    if command == "up":
        os.execv(bin_dir / "jiequ", [str(bin_dir / "jiequ"), "up", *rest])
    elif command == "test":
        if not rest:  # the whole check; with pytest arguments, only those tests
            check_code(bin_dir)
        ensure_browser()
        os.execv(bin_dir / "python", [str(bin_dir / "python"), "-m", "pytest", *rest])


if __name__ == "__main__":
    main()
