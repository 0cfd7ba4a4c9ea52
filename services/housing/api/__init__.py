"""HTTP edge of the housing service."""
