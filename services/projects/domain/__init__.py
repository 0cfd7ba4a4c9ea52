"""Use cases and rules of the projects service. No FastAPI here."""
