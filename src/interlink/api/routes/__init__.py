"""One router per resource; ``ROUTERS`` lists them for the application."""
