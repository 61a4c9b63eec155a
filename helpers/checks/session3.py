"""Self-checks for session 3."""

__all__: list[str] = []
