from __future__ import annotations

import pytest

from kernel.settings import normalize_database_url
from services.projects.settings import ProjectsSettings


def test_database_url_spellings() -> None:
    assert normalize_database_url("postgresql://u@h/db") == "postgresql+asyncpg://u@h/db"
    assert normalize_database_url("postgres://u@h/db") == "postgresql+asyncpg://u@h/db"
    assert normalize_database_url("postgresql+asyncpg://u@h/db") == "postgresql+asyncpg://u@h/db"
    with pytest.raises(ValueError, match="PostgreSQL"):
        normalize_database_url("mysql://u@h/db")


def test_service_url_falls_back_to_common(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PROJECTS_DATABASE_URL", raising=False)
    monkeypatch.setenv("DATABASE_URL", "postgresql://common@h/db")
    assert ProjectsSettings().database_url == "postgresql+asyncpg://common@h/db"
    monkeypatch.setenv("PROJECTS_DATABASE_URL", "postgresql://own@h/projects")
    assert ProjectsSettings().database_url == "postgresql+asyncpg://own@h/projects"
    monkeypatch.setenv("PROJECTS_PAGE_SIZE_MAX", "20")
    monkeypatch.setenv("PROJECTS_PAGE_SIZE_DEFAULT", "50")
    with pytest.raises(ValueError, match="page_size_default"):
        ProjectsSettings()
