"""Housing service (安置房服务)."""
