"""The data-driven attribution models reproduce published reference results.

The functions are the ones the dbt Python model int_attribution__path_credits
runs; the paths are the published examples, fed exactly as
int_attribution__paths would hold them, and the Markov chain's moves as
int_attribution__transitions counts them (its dbt unit test counts these
same examples from journey touches).
"""

from __future__ import annotations

import importlib.util
from types import ModuleType

import pytest

from journey.simulate.config import project_root


@pytest.fixture(scope="module")
def credits_model() -> ModuleType:
    path = project_root() / "models" / "intermediate" / "attribution" / "int_attribution__path_credits.py"
    spec = importlib.util.spec_from_file_location("int_attribution__path_credits", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_markov_removal_effects_and_credit(credits_model: ModuleType) -> None:
    # C1 > C2 > C3 converts once; C1 and C2 > C3 do not convert: the moves
    moves = {
        ("(start)", "C1"): 2, ("(start)", "C2"): 1, ("C1", "C2"): 1, ("C2", "C3"): 2,
        ("C3", "(conversion)"): 1, ("C1", "(null)"): 1, ("C3", "(null)"): 1,
    }  # fmt: skip
    effects = credits_model.removal_effects(moves)
    assert effects == pytest.approx({"C1": 0.5, "C2": 1.0, "C3": 1.0}, abs=1e-12)
    credits = credits_model.markov_credits(effects, ("C1", "C2", "C3"))
    assert credits == pytest.approx([0.2, 0.4, 0.4], abs=1e-12)
    # the conversion is worth 1000: 200, 400, 400
    assert [round(1000 * c, 9) for c in credits] == [200.0, 400.0, 400.0]


def test_fractribution_counterfactual_shapley(credits_model: ModuleType) -> None:
    paths = {("A",): (477, 135201), ("C",): (250, 40727), ("A", "C"): (10, 438)}
    credits = credits_model.shapley_credits(paths, ("A", "C"))
    assert credits == pytest.approx([0.463094670723352, 0.536905329276648], abs=1e-15)
    assert credits_model.shapley_credits(paths, ("A",)) == [1.0]


def test_shapley_clips_negatives_and_falls_back_to_last_step(credits_model: ModuleType) -> None:
    # A > B converts less often than B alone: A's contribution is clipped to 0
    paths = {("A", "B"): (1, 9), ("B",): (5, 5), ("A",): (0, 10)}
    assert credits_model.shapley_credits(paths, ("A", "B")) == [0.0, 1.0]
    # nobody on the path converts: the last step takes the credit
    assert credits_model.shapley_credits({("A", "B"): (0, 3)}, ("A", "B")) == [0.0, 1.0]


def test_markov_with_loops_matches_the_series(credits_model: ModuleType) -> None:
    """A > B > A > conversion revisits A: the linear solve must equal the sum
    over walks, computed here by iterating the chain to a fixed point."""
    # paths A > B > A (2 conversions, 1 not), B (1, 3), A (0, 2); states
    # start, A, B; transitions counted by hand from those paths
    transitions = {
        "start": {"A": 5, "B": 4},
        "A": {"B": 3, "conv": 2, "null": 3},
        "B": {"A": 3, "conv": 1, "null": 3},
    }
    names = {"start": "(start)", "conv": "(conversion)", "null": "(null)"}
    moves = {
        (names.get(a, a), names.get(b, b)): n for a, out in transitions.items() for b, n in out.items()
    }
    effects = credits_model.removal_effects(moves)

    def converts(removed: str | None) -> float:
        value = {"start": 0.0, "A": 0.0, "B": 0.0}
        for _ in range(2000):
            new = {}
            for state, out in transitions.items():
                total = sum(out.values())
                new[state] = (
                    0.0
                    if state == removed
                    else sum(n / total * (1.0 if to == "conv" else value.get(to, 0.0)) for to, n in out.items())
                )
            value = new
        return value["start"]

    base = converts(None)
    assert effects["A"] == pytest.approx(1 - converts("A") / base, abs=1e-12)
    assert effects["B"] == pytest.approx(1 - converts("B") / base, abs=1e-12)
