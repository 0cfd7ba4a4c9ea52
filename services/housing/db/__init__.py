"""Persistence of the housing service."""
