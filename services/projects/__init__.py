"""Projects service (项目): regions, projects, and (later) the command structure."""
