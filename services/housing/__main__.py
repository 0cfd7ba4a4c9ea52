"""``python -m services.housing serve|migrate|downgrade|revision``."""

from pathlib import Path

from kernel.cli import Deployable, main
from services.housing.app import create_app
from services.housing.settings import HousingSettings

DEPLOYABLE = Deployable(
    name="services.housing",
    settings_factory=HousingSettings,
    app_factory=create_app,
    migrations=Path(__file__).parent / "migrations",
)

if __name__ == "__main__":
    raise SystemExit(main(DEPLOYABLE))
