"""Persistence of the gateway: models and repositories (every query lives here)."""
