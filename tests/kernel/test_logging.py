"""Access lines (one per request) go to a file when one is configured, so the console keeps
what people read (``make run`` sets it); everything else stays on stdout."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import structlog

from kernel.logging import ACCESS_LOG_ENV, configure_logging


@pytest.fixture(autouse=True)
def _restore() -> Iterator[None]:
    yield
    configure_logging("test", "WARNING")


def test_access_lines_go_to_the_configured_file(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ACCESS_LOG_ENV, str(tmp_path / "logs" / "{service}.log"))
    configure_logging("housing", "INFO")
    structlog.get_logger("access").info("request", path="/api/v1/housing/x", status=200)
    structlog.get_logger("kernel.app").info("started")
    out = capsys.readouterr().out
    assert "started" in out
    assert "/api/v1/housing/x" not in out
    [line] = (tmp_path / "logs" / "housing.log").read_text("utf-8").splitlines()
    assert json.loads(line)["path"] == "/api/v1/housing/x"


def test_without_the_setting_access_lines_stay_on_the_console(capsys: pytest.CaptureFixture[str],
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ACCESS_LOG_ENV, raising=False)
    configure_logging("housing", "INFO")
    structlog.get_logger("access").info("request", path="/api/v1/housing/y", status=200)
    assert "/api/v1/housing/y" in capsys.readouterr().out


def test_make_run_sends_access_lines_under_anju_unless_told_otherwise(monkeypatch: pytest.MonkeyPatch) -> None:
    from scripts.run_local import child_env

    urls = {name: "postgresql://x@127.0.0.1/db" for name in ("projects", "relocation", "housing", "funding",
                                                            "gateway")}
    monkeypatch.delenv(ACCESS_LOG_ENV, raising=False)
    assert child_env(urls)[ACCESS_LOG_ENV] == ".anju/logs/{service}.log"
    monkeypatch.setenv(ACCESS_LOG_ENV, "-")  # back on the console
    assert child_env(urls)[ACCESS_LOG_ENV] == "-"
