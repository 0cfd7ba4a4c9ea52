"""``python -m services.projects serve|migrate|downgrade|revision|seed-demo``."""

from pathlib import Path

from kernel.cli import Deployable, main
from services.projects.app import create_app
from services.projects.demo.seed import seed_demo
from services.projects.settings import ProjectsSettings

DEPLOYABLE = Deployable(
    name="services.projects",
    settings_factory=ProjectsSettings,
    app_factory=create_app,
    migrations=Path(__file__).parent / "migrations",
    seed_demo=seed_demo,
)

if __name__ == "__main__":
    raise SystemExit(main(DEPLOYABLE))
