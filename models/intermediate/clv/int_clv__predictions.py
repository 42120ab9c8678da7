"""Each customer's predicted purchases and value from the fitted models.

p_alive:                  BG/NBD probability that the customer has not dropped
                          out by the end of the calibration period (Fader,
                          Hardie & Lee, "Computing P(alive) using the BG/NBD
                          model", 2008).
expected_purchases:       BG/NBD conditional expectation of the purchases in
                          the horizon after the calibration period (FHL 2005,
                          equation 10), in var clv_horizon_days.
holdout_expected_purchases: the same over the holdout (the data after the
                          calibration period), null when there is none.
expected_purchase_value_eur: Gamma-Gamma conditional mean value of the
                          customer's purchases: their own repeat mean weighed
                          against the population's; the population mean
                          p v / (q - 1) for a customer without a positive one.
predicted_revenue_eur:    expected purchases times the expected value.

A model that did not converge (int_clv__fits) predicts nothing:
its columns are null.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
from scipy.special import expit, hyp2f1

from journey.model_frames import model_result, numpy_of, rows_of


def log_dropout_odds(params: tuple[float, ...], frequency: np.ndarray, recency: np.ndarray,
                     age: np.ndarray) -> np.ndarray:
    """log of (a / (b + x - 1)) ((alpha + T) / (alpha + t_x))^(r + x); -inf for x = 0."""
    r, alpha, a, b = params
    x = frequency
    odds = np.full_like(x, -np.inf, dtype=float)
    repeat = x > 0
    odds[repeat] = (
        np.log(a) - np.log(b + x[repeat] - 1)
        + (r + x[repeat]) * (np.log(alpha + age[repeat]) - np.log(alpha + recency[repeat]))
    )
    return odds


def p_alive(params: tuple[float, ...], frequency: np.ndarray, recency: np.ndarray,
            age: np.ndarray) -> np.ndarray:
    return expit(-log_dropout_odds(params, frequency, recency, age))


def expected_purchases(params: tuple[float, ...], horizon: float | np.ndarray,
                       frequency: np.ndarray, recency: np.ndarray, age: np.ndarray) -> np.ndarray:
    """E[purchases in (T, T + horizon] | x, t_x, T] under the BG/NBD model."""
    r, alpha, a, b = params
    x = frequency
    z = horizon / (alpha + age + horizon)
    decay = np.exp((r + x) * (np.log(alpha + age) - np.log(alpha + age + horizon)))
    alive_path = (a + b + x - 1) / (a - 1) * (1 - decay * hyp2f1(r + x, b + x, a + b + x - 1, z))
    return alive_path * p_alive(params, frequency, recency, age)


def expected_purchase_value(params: tuple[float, ...], frequency: np.ndarray,
                            monetary: np.ndarray) -> np.ndarray:
    """Gamma-Gamma E[mean purchase value | x, mean of the x repeat values]."""
    p, q, v = params
    population = p * v / (q - 1) if q > 1 else np.nan
    own = (frequency > 0) & np.isfinite(monetary) & (monetary > 0)
    value = np.full_like(frequency, population, dtype=float)
    value[own] = p * (v + frequency[own] * monetary[own]) / (p * frequency[own] + q - 1)
    return value


def predictions(fits: dict[str, tuple[float, ...] | None], horizon: float, holdout: float,
                frequency: np.ndarray, recency: np.ndarray, age: np.ndarray,
                monetary: np.ndarray) -> dict[str, np.ndarray]:
    """The prediction columns; NaN where a model is missing or did not converge."""
    missing = np.full_like(frequency, np.nan, dtype=float)
    bg_nbd, gamma_gamma = fits.get("bg_nbd"), fits.get("gamma_gamma")
    columns = {
        "p_alive": missing,
        "expected_purchases": missing,
        "holdout_expected_purchases": missing,
        "expected_purchase_value_eur": missing,
    }
    if bg_nbd is not None:
        columns["p_alive"] = p_alive(bg_nbd, frequency, recency, age)
        columns["expected_purchases"] = expected_purchases(bg_nbd, horizon, frequency, recency, age)
        if holdout > 0:
            columns["holdout_expected_purchases"] = expected_purchases(
                bg_nbd, holdout, frequency, recency, age
            )
    if gamma_gamma is not None:
        columns["expected_purchase_value_eur"] = expected_purchase_value(
            gamma_gamma, frequency, monetary
        )
    columns["predicted_revenue_eur"] = (
        columns["expected_purchases"] * columns["expected_purchase_value_eur"]
    )
    return columns


def model(dbt: Any, session: Any) -> Any:
    dbt.config(materialized="table")
    fitted: dict[str, tuple[float, ...] | None] = {}
    for name, r, alpha, a, b, p, q, v, converged in rows_of(
        dbt.ref("int_clv__fits"), ["model", "r", "alpha", "a", "b", "p", "q", "v", "converged"]
    ):
        params = (r, alpha, a, b) if name == "bg_nbd" else (p, q, v)
        fitted[name] = tuple(float(value) for value in params) if converged else None
    horizon, holdout = next(iter(rows_of(
        dbt.ref("int_clv__calibration"), ["horizon_length", "holdout_length"]
    )), (0.0, 0.0))  # fmt: skip
    summary = numpy_of(
        dbt.ref("int_clv__summary"),
        ["person_id", "frequency", "recency", "customer_age", "monetary_value_eur"],
    )
    monetary = np.ma.filled(np.ma.asarray(summary["monetary_value_eur"], dtype=float), np.nan)
    columns = predictions(
        fitted, float(horizon), float(holdout or 0.0),
        np.asarray(summary["frequency"], dtype=float),
        np.asarray(summary["recency"], dtype=float),
        np.asarray(summary["customer_age"], dtype=float),
        np.asarray(monetary, dtype=float),
    )  # fmt: skip
    return model_result(pa.table(
        {
            "person_id": pa.array(summary["person_id"], type=pa.string()),
            **{name: pa.array(values, type=pa.float64(), from_pandas=True)
               for name, values in columns.items()},
        }  # fmt: skip
    ), session)
