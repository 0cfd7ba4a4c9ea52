"""An import-linter contract of our own: the slices of a service keep their insides to themselves.

A service is a package of slices (``services/<name>/<slice>/``). Another slice may use a slice's
``service`` (its use cases), ``rules``, ``errors``, ``vocabulary``, ``events`` and ``models`` (the
service's tables share one schema), but never the modules named ``private`` (its repository, its
routes, its schemas): those are the slice's own. Only the service-level modules that compose the
slices (``composers``: the app, demo data, the schema registry, the command line) may reach them.
"""

from __future__ import annotations

from typing import Any

import grimp
from importlinter import Contract, ContractCheck, fields, output


class SlicesContract(Contract):
    type_name = "slices"

    services = fields.ListField(subfield=fields.StringField())
    private = fields.ListField(subfield=fields.StringField())
    composers = fields.ListField(subfield=fields.StringField(), required=False)

    def check(self, graph: grimp.ImportGraph, verbose: bool) -> ContractCheck:
        violations: list[dict[str, Any]] = []
        composers = [str(c) for c in (self.composers or [])]  # type: ignore[union-attr]
        for service in self.services:  # type: ignore[attr-defined]
            service = str(service)
            for slice_ in sorted(graph.find_children(service)):
                if not graph.find_children(slice_):
                    continue  # a module at service level, not a slice
                for name in self.private:  # type: ignore[attr-defined]
                    module = f"{slice_}.{name}"
                    if module not in graph.modules:
                        continue
                    for importer in sorted(graph.find_modules_that_directly_import(module)):
                        if importer == slice_ or importer.startswith(f"{slice_}."):
                            continue
                        if any(importer == f"{service}.{c}" or importer.startswith(f"{service}.{c}.")
                               for c in composers):
                            continue
                        lines = [d["line_number"] for d in graph.get_import_details(importer=importer, imported=module)]
                        violations.append({"importer": importer, "imported": module, "lines": lines})
        return ContractCheck(kept=not violations, metadata={"violations": violations})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for v in check.metadata["violations"]:
            output.print_error(f"{v['importer']} -> {v['imported']} (l. {', '.join(map(str, v['lines']))})",
                               bold=False)
        output.new_line()
        output.print("Another slice's repository, routes and schemas are its own: go through its service.")
