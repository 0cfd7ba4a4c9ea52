"""Persistence of the relocation service."""
