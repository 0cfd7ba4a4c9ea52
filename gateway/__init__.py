"""The gateway: one front door that routes ``/api/v1/<service>/...`` and serves the contract."""
