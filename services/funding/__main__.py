"""``python -m services.funding serve|migrate|downgrade|revision``."""

from pathlib import Path

from kernel.cli import Deployable, main
from services.funding.app import create_app
from services.funding.settings import FundingSettings

DEPLOYABLE = Deployable(
    name="services.funding",
    settings_factory=FundingSettings,
    app_factory=create_app,
    migrations=Path(__file__).parent / "migrations",
)

if __name__ == "__main__":
    raise SystemExit(main(DEPLOYABLE))
