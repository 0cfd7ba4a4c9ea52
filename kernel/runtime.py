"""Process-level tuning applied when a service starts serving."""

from __future__ import annotations

import gc


def tune_gc() -> None:
    """A service's heap is mostly long-lived (modules, routes, schemas, compiled SQL): move it
    out of the collector's way and collect the young generation less often, so that fewer
    requests wait behind a collection of objects that never die (docs/decisions/0014).
    Called from the app's lifespan, so every worker process does it once it is built."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 50, 100)
