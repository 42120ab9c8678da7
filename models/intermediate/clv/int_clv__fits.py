"""Maximum-likelihood fits of the two lifetime-value models.

bg_nbd:      Fader, Hardie & Lee (2005), "Counting your customers the easy
             way": while alive a customer buys at a Poisson rate drawn from
             Gamma(r, alpha), and after each purchase drops out with a
             probability drawn from Beta(a, b). Fitted on every customer's
             frequency, recency and age (int_clv__summary).
gamma_gamma: Fader, Hardie & Lee (2005), "RFM and CLV": a customer's
             purchase values are Gamma(p, nu) with nu drawn from Gamma(q, v),
             independent of the purchase process. Fitted on the mean value of
             the repeat purchases of the customers who have some, of
             positive mean (a mean of zero or less, all returned, has no
             likelihood).

Each maximises the mean log-likelihood over the logarithms of its parameters
(Nelder-Mead within bounds from all parameters at 1 with a simplex a factor
e wide, then BFGS from where it stopped); customers with
the same figures are one row with a weight. A fit is converged when
Nelder-Mead met its tolerances away from the bounds and the gradient at the
end point is flat; a model without the customers it needs is not fitted.
A short history may show no drop-out yet: the BG/NBD likelihood then keeps
rising as a -> 0 and b -> infinity (no one ever drops out), the fit does not
converge, and var clv_penalizer_coef (lifetimes' penalizer_coef: the mean
log-likelihood less the coefficient times the sum of the squared
parameters) keeps it finite.
"""

from __future__ import annotations

from typing import Any, Callable, NamedTuple

import numpy as np
import pyarrow as pa
from scipy.optimize import minimize
from scipy.special import gammaln

from journey.model_frames import model_result, numpy_of

LOG_BOUND = 30.0  # parameters are fitted within exp(-30) .. exp(30)
GRADIENT_STEP = 1e-5  # of a log-parameter, for the gradient at the end point
GRADIENT_TOLERANCE = 1e-6  # of the mean log-likelihood, per log-parameter
Arrays = tuple[np.ndarray, ...]


def bg_nbd_log_likelihood(params: np.ndarray, frequency: np.ndarray, recency: np.ndarray,
                          age: np.ndarray, weights: np.ndarray) -> float:
    """Sum of the weighted BG/NBD log-likelihoods (FHL 2005, equation 6)."""
    r, alpha, a, b = params
    x = frequency
    ln_a1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    ln_a2 = gammaln(a + b) + gammaln(b + x) - gammaln(b) - gammaln(a + b + x)
    ln_a3 = -(r + x) * np.log(alpha + age)
    repeat = x > 0
    ln_a4 = np.full_like(x, -np.inf)
    ln_a4[repeat] = (
        np.log(a) - np.log(b + x[repeat] - 1) - (r + x[repeat]) * np.log(alpha + recency[repeat])
    )
    return float(np.sum(weights * (ln_a1 + ln_a2 + np.logaddexp(ln_a3, ln_a4))))


def gamma_gamma_log_likelihood(params: np.ndarray, frequency: np.ndarray,
                               monetary: np.ndarray, weights: np.ndarray) -> float:
    """Sum of the weighted Gamma-Gamma log-likelihoods of the mean repeat values."""
    p, q, v = params
    px = p * frequency
    return float(np.sum(weights * (
        gammaln(px + q) - gammaln(px) - gammaln(q) + q * np.log(v)
        + (px - 1) * np.log(monetary) + px * np.log(frequency)
        - (px + q) * np.log(frequency * monetary + v)
    )))  # fmt: skip


class Fit(NamedTuple):
    params: tuple[float, ...]
    log_likelihood: float
    converged: bool
    evaluations: int


def gradient(objective: Callable[[np.ndarray], float], point: np.ndarray) -> np.ndarray:
    """Central differences: accurate enough to tell an optimum from a stop."""
    steps = np.eye(len(point)) * GRADIENT_STEP
    return np.array(
        [(objective(point + step) - objective(point - step)) / (2 * GRADIENT_STEP) for step in steps]
    )


def fit(log_likelihood: Callable[..., float], n_params: int, data: Arrays,
        penalizer: float = 0.0) -> Fit:  # fmt: skip
    """Maximise the mean of log_likelihood(params, *data) over the customers
    (the weights, data's last column) less penalizer x the sum of the squared
    parameters (lifetimes' penalizer_coef; 0, the published fits, by default),
    from all parameters at 1."""
    customers = float(np.sum(data[-1]))

    def objective(log_params: np.ndarray) -> float:
        params = np.exp(log_params)
        value = log_likelihood(params, *data) / customers - penalizer * float(np.sum(params**2))
        return -value if np.isfinite(value) else np.inf

    start = np.zeros(n_params)
    # a simplex a factor e wide: scipy's default (5% of a non-zero start,
    # 0.00025 at zero) can stall on a ridge far from the optimum
    vertices = np.vstack([start, start + np.eye(n_params)])
    simplex = minimize(
        objective, start, method="Nelder-Mead", bounds=[(-LOG_BOUND, LOG_BOUND)] * n_params,
        options={"xatol": 1e-10, "fatol": 1e-12, "maxiter": 20000, "maxfev": 20000,
                 "initial_simplex": vertices},
    )  # fmt: skip
    polished = minimize(objective, simplex.x, method="BFGS", options={"gtol": 1e-10})
    best = polished.x if polished.fun <= simplex.fun else simplex.x
    inside = bool(np.all(np.abs(best) < LOG_BOUND - 1))
    flat = bool(np.all(np.abs(gradient(objective, best)) <= GRADIENT_TOLERANCE))
    params = np.exp(best)
    total = log_likelihood(params, *data)
    return Fit(
        params=tuple(float(value) for value in params),
        log_likelihood=float(total),
        converged=bool(simplex.success and inside and flat and np.isfinite(total)),
        evaluations=int(simplex.nfev + polished.nfev),
    )


def weighted_rows(*columns: np.ndarray) -> Arrays:
    """The distinct rows of the columns, as columns, with their counts last."""
    if len(columns[0]) == 0:
        return (*columns, np.zeros(0))
    rows, counts = np.unique(np.column_stack(columns), axis=0, return_counts=True)
    return (*rows.T, counts.astype(float))


def fits(frequency: np.ndarray, recency: np.ndarray, age: np.ndarray,
         monetary: np.ndarray, penalizer: float = 0.0) -> dict[str, list[Any]]:
    """The two models' rows: parameters, log-likelihood, customers fitted on,
    and the fit's status. The penalizer applies to BG/NBD only: Gamma-Gamma's
    v is in EUR, and a penalty on squared parameters would pull it by the
    currency's scale."""
    rows: dict[str, list[Any]] = {name: [] for name in (
        "model", "r", "alpha", "a", "b", "p", "q", "v", "log_likelihood",
        "customers", "converged", "fit_status", "evaluations", "penalizer_coef",
    )}  # fmt: skip

    def add(model: str, names: tuple[str, ...], customers: int, result: Fit | str,
            penalty: float) -> None:  # fmt: skip
        fitted = isinstance(result, Fit)
        rows["model"].append(model)
        for name in ("r", "alpha", "a", "b", "p", "q", "v"):
            in_model = fitted and name in names
            rows[name].append(result.params[names.index(name)] if in_model else None)
        rows["log_likelihood"].append(result.log_likelihood if fitted else None)
        rows["customers"].append(customers)
        rows["converged"].append(result.converged if fitted else False)
        if not fitted:
            status = f"not fitted: {result}"
        elif result.converged:
            status = "converged"
        else:
            status = (
                "not converged: the likelihood still rises towards a limit of the"
                " parameters (set var clv_penalizer_coef)"
            )
        rows["fit_status"].append(status)
        rows["evaluations"].append(result.evaluations if fitted else 0)
        rows["penalizer_coef"].append(penalty)

    # BG/NBD needs a repeat purchase to tell buying from dropping out
    bg_fit: Fit | str = "no customer with a repeat purchase"
    if np.any(frequency > 0):
        bg_fit = fit(bg_nbd_log_likelihood, 4, weighted_rows(frequency, recency, age), penalizer)
    add("bg_nbd", ("r", "alpha", "a", "b"), len(frequency), bg_fit, penalizer)

    repeat = (frequency > 0) & np.isfinite(monetary) & (monetary > 0)
    gg_fit: Fit | str = "fewer than 2 customers with a positive mean repeat value"
    if repeat.sum() >= 2:
        gg_data = weighted_rows(frequency[repeat], monetary[repeat])
        gg_fit = fit(gamma_gamma_log_likelihood, 3, gg_data)
    add("gamma_gamma", ("p", "q", "v"), int(repeat.sum()), gg_fit, 0.0)
    return rows


def model(dbt: Any, session: Any) -> Any:
    dbt.config(materialized="table")
    # a call of its own: dbt finds the keys a model reads in plain calls only
    penalizer_coef = dbt.config.meta_get("clv_penalizer_coef", 0)
    summary = numpy_of(
        dbt.ref("int_clv__summary"), ["frequency", "recency", "customer_age", "monetary_value_eur"]
    )
    monetary = summary["monetary_value_eur"]
    rows = fits(
        np.asarray(summary["frequency"], dtype=float),
        np.asarray(summary["recency"], dtype=float),
        np.asarray(summary["customer_age"], dtype=float),
        np.asarray(np.ma.filled(np.ma.asarray(monetary, dtype=float), np.nan), dtype=float),
        float(penalizer_coef),
    )
    schema = pa.schema(
        [("model", pa.string())]
        + [(name, pa.float64()) for name in ("r", "alpha", "a", "b", "p", "q", "v", "log_likelihood")]
        + [("customers", pa.int64()), ("converged", pa.bool_()), ("fit_status", pa.string()),
           ("evaluations", pa.int64()), ("penalizer_coef", pa.float64())]
    )  # fmt: skip
    return model_result(pa.table(rows, schema=schema), session)
