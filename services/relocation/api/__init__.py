"""HTTP edge of the relocation service."""
