"""``python -m gateway serve``."""

from gateway.app import create_app
from gateway.settings import GatewaySettings
from kernel.cli import Deployable, main

DEPLOYABLE = Deployable(name="gateway", settings_factory=GatewaySettings, app_factory=create_app)

if __name__ == "__main__":
    raise SystemExit(main(DEPLOYABLE))
