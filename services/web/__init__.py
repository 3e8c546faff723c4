"""The web pages (网页): Jinja templates rendered by page handlers that call the domain services."""
