"""CPU seconds of finished child processes, for the benchmarks that time whole commands."""

from __future__ import annotations


def children_cpu() -> float | None:
    """User + system CPU seconds of finished child processes (None where the resource module is missing)."""
    try:
        import resource
    except ImportError:  # Windows
        return None
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime
