"""The HTTP edge of the kernel: app factory, problem+json, dependencies, health, metrics."""
