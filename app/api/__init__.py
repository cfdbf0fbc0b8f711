"""HTTP routers: health, the HR REST API v1 and integrations."""
