"""Self-checks for session 2."""

__all__: list[str] = []
