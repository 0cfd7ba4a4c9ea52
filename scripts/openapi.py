"""``make openapi`` writes the contract to ``openapi/``; ``make openapi-check``
fails when the committed files differ from what the code declares.

Files: ``openapi/<service>.json`` for each service and ``openapi/gateway.json``,
the clients' contract (the gateway's operations plus every routed one).
"""

from __future__ import annotations

import argparse
import difflib
import sys
from importlib import import_module
from pathlib import Path
from typing import Any

from gateway.app import create_app as create_gateway
from gateway.app import own_openapi
from gateway.routing.rules import merge_contract
from gateway.settings import GatewaySettings
from kernel.openapi import dump
from scripts.components import SERVICES

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "openapi"


def documents() -> dict[str, dict[str, Any]]:
    docs: dict[str, dict[str, Any]] = {}
    for c in SERVICES:
        app_module = import_module(f"{c.module}.app")
        settings_module = import_module(f"{c.module}.settings")
        settings_cls = next(getattr(settings_module, n) for n in dir(settings_module)
                            if n.endswith("Settings") and n != "ServiceSettings")
        app = app_module.create_app(settings_cls(database_url="postgresql://contract@localhost/none"))
        docs[c.name] = app.openapi()
    gateway = create_gateway(GatewaySettings(contract_path=Path("/nonexistent")))
    docs["gateway"] = merge_contract(own_openapi(gateway), {c.name: docs[c.name] for c in SERVICES})
    return docs


def event_documents() -> dict[str, dict[str, Any]]:
    """Each published event payload's JSON schema, by ``<type>.v<version>``."""
    from kernel.events.envelope import payload_schemas

    docs: dict[str, dict[str, Any]] = {}
    for c in SERVICES:
        docs.update(payload_schemas(import_module(f"contracts.{c.name}").PUBLISHED))
    return docs


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["write", "check"])
    args = parser.parse_args()
    texts = {f"{name}.json": dump(doc) for name, doc in documents().items()}
    texts |= {f"events/{name}.json": dump(doc) for name, doc in event_documents().items()}
    if args.mode == "write":
        (OUT / "events").mkdir(parents=True, exist_ok=True)
        for name, text in texts.items():
            (OUT / name).write_text(text, "utf-8")
            print(f"wrote openapi/{name}")
        return 0
    drift = False
    for name, text in texts.items():
        path = OUT / name
        current = path.read_text("utf-8") if path.exists() else ""
        if current != text:
            drift = True
            diff = difflib.unified_diff(current.splitlines(), text.splitlines(),
                                        f"committed/{name}", f"code/{name}", lineterm="", n=1)
            print("\n".join(list(diff)[:40]), file=sys.stderr)
    committed = [str(p.relative_to(OUT)) for p in OUT.glob("**/*.json")] if OUT.exists() else []
    extra = sorted(name for name in committed if name not in texts)
    for name in extra:
        drift = True
        print(f"openapi/{name} is committed but no code declares it", file=sys.stderr)
    if drift:
        print("openapi-check: the committed contract differs from the code; run `make openapi`", file=sys.stderr)
        return 1
    print(f"openapi-check: {len(texts)} documents match the code")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
