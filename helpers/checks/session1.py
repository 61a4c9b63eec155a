"""Self-checks for session 1."""

__all__: list[str] = []
