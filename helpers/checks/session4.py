"""Self-checks for session 4."""

__all__: list[str] = []
