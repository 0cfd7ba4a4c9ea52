"""Persistence of the projects service: models and repositories (every query lives here)."""
