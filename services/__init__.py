"""Anju services: each a bounded context with its own schema."""
