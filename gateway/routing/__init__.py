"""Routing: forwarding ``/api/v1/<service>/...`` to the services (one pooled client and one circuit
breaker each), the merged contract, and the gateway's health and readiness fan-out."""
