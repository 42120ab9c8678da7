"""Credit of each step of each channel path under the two data-driven models.

markov:  removal effects of the first-order absorbing Markov chain whose
         moves int_attribution__transitions counts over the converting and
         non-converting journeys, solved exactly (a linear system over the
         channels, no random walks, whatever the number of paths); a path's
         credit goes to its channels in proportion to their removal effects,
         then evenly over the steps of a channel.
shapley: fractribution's counterfactual: the marginal contribution of a step
         is the path's conversion probability minus that of the path without
         the step (0 if no journey followed it), negatives clipped to 0,
         normalised over the path; the last step takes it all when every
         contribution is 0.

Steps are the runs of int_attribution__paths (' > '-separated channels).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa

from journey.model_frames import model_result, rows_of

SEPARATOR = " > "
START, CONVERSION, NULL = "(start)", "(conversion)", "(null)"
PathCounts = dict[tuple[str, ...], tuple[int, int]]
Moves = dict[tuple[str, str], int]  # (from state, to state) -> journeys


def conversion_probability(paths: PathCounts, path: tuple[str, ...]) -> float:
    conversions, non_conversions = paths.get(path, (0, 0))
    total = conversions + non_conversions
    return conversions / total if total else 0.0


def shapley_credits(paths: PathCounts, path: tuple[str, ...]) -> list[float]:
    """Fractribution's credit of every step of one path."""
    probability = conversion_probability(paths, path)
    if len(path) == 1:
        contributions = [probability]
    else:
        contributions = [
            max(probability - conversion_probability(paths, path[:i] + path[i + 1 :]), 0.0)
            for i in range(len(path))
        ]
    total = sum(contributions)
    if total > 0:
        return [c / total for c in contributions]
    return [0.0] * (len(path) - 1) + [1.0]


def conversion_rate(channels: list[str], transitions: np.ndarray, removed: int | None) -> float:
    """Probability of reaching `conversion` from `start` in the absorbing chain.

    transitions: counts between states [start, *channels, conversion, null].
    removed: index of a channel whose visits end the journey (its removal).
    """
    n = len(channels) + 1  # transient states: start and the channels
    counts = transitions.astype(float)
    totals = counts.sum(axis=1, keepdims=True)
    probabilities = np.divide(counts, totals, out=np.zeros_like(counts), where=totals > 0)
    q = probabilities[:n, :n].copy()
    b = probabilities[:n, n].copy()  # column n is `conversion`
    if removed is not None:
        q[removed + 1, :] = 0.0
        b[removed + 1] = 0.0
    solution = np.linalg.solve(np.eye(n) - q, b)
    return float(solution[0])


def removal_effects(moves: Moves) -> dict[str, float]:
    """1 - P(conversion without the channel) / P(conversion), per channel."""
    channels = sorted({state for move in moves for state in move} - {START, CONVERSION, NULL})
    index = {START: 0, **{c: i + 1 for i, c in enumerate(channels)}}
    index[CONVERSION], index[NULL] = len(channels) + 1, len(channels) + 2
    transitions = np.zeros((len(channels) + 3, len(channels) + 3))
    for (source, target), journeys in moves.items():
        transitions[index[source], index[target]] += journeys
    base = conversion_rate(channels, transitions, None)
    if base == 0:
        return {channel: 0.0 for channel in channels}
    return {
        channel: 1.0 - conversion_rate(channels, transitions, i) / base
        for i, channel in enumerate(channels)
    }


def markov_credits(effects: dict[str, float], path: tuple[str, ...]) -> list[float]:
    """A path's credit per step: removal-effect shares, split over a channel's steps."""
    distinct = set(path)
    total = sum(effects[channel] for channel in distinct)
    if total <= 0:
        return [1.0 / len(path)] * len(path)
    return [effects[channel] / total / path.count(channel) for channel in path]


def path_credits(paths: PathCounts, effects: dict[str, float]) -> dict[str, list[Any]]:
    rows: dict[str, list[Any]] = {
        "attribution_model": [],
        "channel_path": [],
        "step_number": [],
        "channel_group": [],
        "credit": [],
        "removal_effect": [],
    }
    for path, (conversions, _) in sorted(paths.items()):
        if not conversions:
            continue
        for model, credits in (
            ("markov", markov_credits(effects, path)),
            ("shapley", shapley_credits(paths, path)),
        ):
            for step, (channel, credit) in enumerate(zip(path, credits), start=1):
                rows["attribution_model"].append(model)
                rows["channel_path"].append(SEPARATOR.join(path))
                rows["step_number"].append(step)
                rows["channel_group"].append(channel)
                rows["credit"].append(credit)
                rows["removal_effect"].append(effects[channel] if model == "markov" else None)
    return rows


def model(dbt: Any, session: Any) -> Any:
    dbt.config(materialized="table")
    paths: PathCounts = {
        tuple(channel_path.split(SEPARATOR)): (int(conversions), int(non_conversions))
        for channel_path, conversions, non_conversions in rows_of(
            dbt.ref("int_attribution__paths"), ["channel_path", "conversions", "non_conversions"]
        )
    }
    moves: Moves = {
        (source, target): int(journeys)
        for source, target, journeys in rows_of(
            dbt.ref("int_attribution__transitions"), ["from_state", "to_state", "journeys"]
        )
    }
    schema = pa.schema(
        [
            ("attribution_model", pa.string()),
            ("channel_path", pa.string()),
            ("step_number", pa.int64()),
            ("channel_group", pa.string()),
            ("credit", pa.float64()),
            ("removal_effect", pa.float64()),
        ]
    )
    return model_result(pa.table(path_credits(paths, removal_effects(moves)), schema=schema), session)
