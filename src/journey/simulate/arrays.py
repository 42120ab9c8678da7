"""Small vectorised helpers shared by the simulator's steps."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


def group_starts(group: IntArray) -> BoolArray:
    """True on the first row of each run of equal values (array sorted by group)."""
    first = np.ones(len(group), dtype=bool)
    first[1:] = group[1:] != group[:-1]
    return first


def rank_in_group(group: IntArray) -> IntArray:
    """0-based position of each row inside its run of equal group values."""
    idx = np.arange(len(group))
    starts = np.where(group_starts(group), idx, 0)
    return idx - np.maximum.accumulate(starts)


def segmented_cumsum(values: FloatArray, group: IntArray) -> FloatArray:
    """Cumulative sum restarting at every new group (array sorted by group)."""
    total = np.cumsum(values)
    starts = group_starts(group)
    start_idx = np.maximum.accumulate(np.where(starts, np.arange(len(values)), 0))
    before = (total - values)[start_idx]
    return total - before


def first_true_in_group(group: IntArray, mask: BoolArray) -> BoolArray:
    """Mark the first row of each group where mask holds (rows sorted by group)."""
    out = np.zeros(len(mask), dtype=bool)
    hits = np.flatnonzero(mask)
    if len(hits) == 0:
        return out
    keep = np.ones(len(hits), dtype=bool)
    keep[1:] = group[hits[1:]] != group[hits[:-1]]
    out[hits[keep]] = True
    return out


def group_min(group: IntArray, values: FloatArray, size: int) -> FloatArray:
    """Minimum of values per group id in [0, size), +inf where a group is empty."""
    out = np.full(size, np.inf)
    np.minimum.at(out, group, values)
    return out


def pick(rng: np.random.Generator, probs: FloatArray | tuple[float, ...], n: int) -> IntArray:
    """n draws of an index with the given probabilities."""
    p = np.asarray(probs, dtype=float)
    return rng.choice(len(p), size=n, p=p / p.sum()).astype(np.int64)
