"""Persistence of the funding service."""
