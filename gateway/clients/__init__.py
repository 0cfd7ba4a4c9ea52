"""Machine clients (OAuth 2 client credentials): registered, listed, their secrets replaced."""
