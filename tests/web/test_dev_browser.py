"""``python3 infra/dev.py test`` installs Chromium when it can, and otherwise names the command to run."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from infra import dev


def test_without_chromium_and_not_root_it_stops_naming_the_command(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(dev, "CHROMIUM", tmp_path / "no-chromium")
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    with pytest.raises(SystemExit) as stopped:
        dev.ensure_browser()
    assert "apt-get install -y chromium fonts-noto-cjk" in str(stopped.value)


def test_without_chromium_as_root_it_installs_with_apt_get(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    ran: list[list[str]] = []

    def run(args: list[str], **_: Any) -> None:
        ran.append(args)

    monkeypatch.setattr(dev, "CHROMIUM", tmp_path / "no-chromium")
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    monkeypatch.setattr(shutil, "which", lambda name: f"/usr/bin/{name}")
    monkeypatch.setattr(subprocess, "run", run)
    dev.ensure_browser()
    assert ran == [["/usr/bin/apt-get", "update"], ["/usr/bin/apt-get", "install", "-y", "chromium", "fonts-noto-cjk"]]


def test_with_chromium_and_fonts_it_does_nothing(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "chromium").touch()
    monkeypatch.setattr(dev, "CHROMIUM", tmp_path / "chromium")
    monkeypatch.setattr(dev, "CJK_FONTS", tmp_path)
    monkeypatch.setattr(shutil, "which", lambda _: pytest.fail("nothing to install"))
    dev.ensure_browser()
