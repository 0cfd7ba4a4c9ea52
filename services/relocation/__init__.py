"""Relocation service (征迁服务)."""
