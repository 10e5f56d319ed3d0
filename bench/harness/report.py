"""Percentiles and the printed rows every measurement uses."""

from __future__ import annotations

from collections.abc import Sequence


def percentile(samples: Sequence[float], q: float) -> float:
    """The q-th percentile, interpolated between the two nearest samples."""
    ordered = sorted(samples)
    if not ordered:
        return float("nan")
    position = (len(ordered) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def row(label: str, figure: str, note: str = "") -> None:
    print(f"  {label:<46} {figure:>16}  {note}".rstrip())


def verdict(ok: bool, target: str) -> str:
    return "ok" if ok else f"MISSES the target ({target})"
