"""The REST API face: FastAPI routers over the same services as the command line."""
