"""``python -m gateway serve|migrate|downgrade|revision|seed-demo|create-admin``."""

import sys
from pathlib import Path

from gateway.app import create_app
from gateway.bootstrap import create_admin
from gateway.demo import seed_demo
from gateway.settings import GatewaySettings
from kernel.cli import Deployable, main

DEPLOYABLE = Deployable(
    name="gateway",
    settings_factory=GatewaySettings,
    app_factory=create_app,
    migrations=Path(__file__).parent / "migrations",
    seed_demo=seed_demo,
)

if __name__ == "__main__":
    # create-admin is the gateway's own (the kernel's command line does not take extra commands yet).
    if sys.argv[1:2] == ["create-admin"]:
        raise SystemExit(create_admin(sys.argv[2:]))
    raise SystemExit(main(DEPLOYABLE))
