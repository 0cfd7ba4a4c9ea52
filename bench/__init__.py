"""Benchmarks: each prints its headline figures on its last line as `name: value unit` pairs."""
