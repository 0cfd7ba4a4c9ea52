"""Use cases and rules of the relocation service. No FastAPI here."""
