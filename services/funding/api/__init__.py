"""HTTP edge of the funding service."""
