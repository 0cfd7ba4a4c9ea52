"""Test helpers: databases, real processes, ports."""
