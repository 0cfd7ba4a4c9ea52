"""The shared kernel: one implementation of each cross-cutting concern, used by every service."""
