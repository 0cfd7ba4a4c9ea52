"""Developer tooling: local run, contract export, benchmarks support."""
