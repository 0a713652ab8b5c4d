"""The web dashboard: static files and the page template (served by coupwatch.api)."""
