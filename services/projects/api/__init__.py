"""HTTP edge of the projects service: routers, request/response schemas, dependencies."""
