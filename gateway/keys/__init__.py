"""Token-signing keys: the current and the next key, the published set (JWKS), rotation."""
