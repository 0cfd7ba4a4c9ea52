"""``python -m services.relocation serve|migrate|downgrade|revision``."""

from pathlib import Path

from kernel.cli import Deployable, main
from services.relocation.app import create_app
from services.relocation.settings import RelocationSettings

DEPLOYABLE = Deployable(
    name="services.relocation",
    settings_factory=RelocationSettings,
    app_factory=create_app,
    migrations=Path(__file__).parent / "migrations",
)

if __name__ == "__main__":
    raise SystemExit(main(DEPLOYABLE))
