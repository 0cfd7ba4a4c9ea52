"""Funding service (资金服务)."""
