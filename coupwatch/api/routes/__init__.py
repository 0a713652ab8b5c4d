"""One module per concern; each defines ``router``."""
