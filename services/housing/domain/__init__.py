"""Use cases and rules of the housing service. No FastAPI here."""
