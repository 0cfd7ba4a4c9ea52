"""The gateway: the one front door. It signs users and machine clients in and issues
their tokens (schema ``gateway``), routes ``/api/v1/<service>/...`` and serves the contract."""
