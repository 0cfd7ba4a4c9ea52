"""Use cases and rules of the funding service. No FastAPI here."""
