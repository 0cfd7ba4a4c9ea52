"""Pure rules of the projects domain, with the numbers of DOMAIN.md as defaults."""

from __future__ import annotations

from decimal import Decimal

from kernel.types import quantize2

#: 1 mu (亩) in square metres (DOMAIN.md §1); a setting of the service.
SQUARE_METRES_PER_MU = Decimal("666.67")


def mu_to_square_metres(mu: Decimal, per_mu: Decimal = SQUARE_METRES_PER_MU) -> Decimal:
    """Land area in m², rounded half-up to two places."""
    return quantize2(mu * per_mu)


def square_metres_to_mu(m2: Decimal, per_mu: Decimal = SQUARE_METRES_PER_MU) -> Decimal:
    return quantize2(m2 / per_mu)
