"""Customer lifetime value against published results and the models' own process.

- The CDNOW sample (Fader, Hardie & Lee 2005, shipped in the PyPI package
  Lifetimes 0.11.3, installed by `make setup` for its files): the project's
  summary macro reproduces the published calibration summary, and the fitting
  code the published BG/NBD and Gamma-Gamma parameters, to 3 significant
  figures.
- The predictions: customers drawn from the BG/NBD and Gamma-Gamma processes
  themselves; the mean prediction of each frequency group equals the mean of
  what the drawn customers then did (the law of total expectation), within
  the sampling error.
- The warehouse: each customer's summary against the simulator's truth, the
  fits converged, a holdout run with var clv_calibration_end.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import shutil
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path
from types import ModuleType

import duckdb
import numpy as np
import pytest
from conftest import SALT
from helpers import load_truth

from journey.simulate.config import project_root
from journey.serving import build_cursor, build_path, connect_build, working_paths
from journey.warehouse import Workspace, run_dbt

MODELS = project_root() / "models" / "intermediate" / "clv"
CALIBRATION_END = dt.date(1997, 9, 30)  # CDNOW: 39 weeks from 1 January 1997
# Fader, Hardie & Lee (2005), "Counting your customers the easy way", and
# "RFM and CLV: using iso-value curves", on the 2,357 CDNOW customers
PUBLISHED_BG_NBD = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
PUBLISHED_LOG_LIKELIHOOD = -9582.4
PUBLISHED_GAMMA_GAMMA = {"p": 6.25, "q": 3.74, "v": 15.44}


def _module(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, MODELS / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


fits = _module("int_clv__fits")
predictions = _module("int_clv__predictions")


def cdnow_file(name: str) -> Path:
    try:
        path = Path(str(distribution("Lifetimes").locate_file(f"lifetimes/datasets/{name}")))
    except PackageNotFoundError:
        pytest.fail("the CDNOW reference data is missing: run `make setup` (requirements-reference.txt)")
    assert path.is_file(), path
    return path


def significant(value: float, digits: int = 3) -> float:
    return float(f"{value:.{digits - 1}e}")


@pytest.fixture(scope="module")
def cdnow_summary(tmp_path_factory: pytest.TempPathFactory) -> dict[str, np.ndarray]:
    """The CDNOW sample's transactions summarised by the project's macro
    (clv_customer_summary, compiled by dbt), ordered by customer."""
    tmp = tmp_path_factory.mktemp("cdnow")
    result = run_dbt(
        Workspace(landing=tmp, duckdb=tmp / "w.duckdb"),
        ["compile", "--inline",
         "{{ customer_journey.clv_customer_summary('purchases', \"date '1997-09-30'\","
         " \"date '1998-06-30'\", 'week') }}"],
    )  # fmt: skip
    assert result.success
    sql = result.result.results[0].node.compiled_code
    con = duckdb.connect()
    rows = []
    for line in cdnow_file("CDNOW_sample.txt").read_text().splitlines():
        _, customer, day, _, amount = line.split()
        rows.append((customer, dt.datetime.strptime(day, "%Y%m%d").date(), float(amount)))
    con.execute("create table tx (person_id varchar, purchased_on date, revenue_eur decimal(18, 2))")
    con.executemany("insert into tx values (?, ?, ?)", rows)
    con.execute("create table purchases as select *, true as is_purchase from tx")
    return con.execute(f"select * from ({sql}) order by person_id::integer").fetchnumpy()


def test_the_summary_macro_reproduces_the_published_cdnow_summary(
    cdnow_summary: dict[str, np.ndarray],
) -> None:
    reference = np.genfromtxt(
        cdnow_file("cdnow_customers_summary_with_transactions.csv"), delimiter=",", names=True
    )
    assert len(cdnow_summary["person_id"]) == len(reference) == 2357
    assert [int(i) for i in cdnow_summary["person_id"]] == [int(i) for i in reference["ID"]]
    assert np.array_equal(cdnow_summary["frequency"], reference["x"])
    assert np.array_equal(np.round(cdnow_summary["recency"], 2), reference["t_x"])
    assert np.array_equal(np.round(cdnow_summary["customer_age"], 2), reference["T"])
    monetary = np.ma.filled(np.ma.asarray(cdnow_summary["monetary_value_eur"], dtype=float), 0.0)
    # the file rounds half-way cents either way
    assert np.max(np.abs(monetary - reference["zbar"])) <= 0.005 + 1e-9
    # transactions after 30 September 1997 are the holdout
    assert int(np.sum(cdnow_summary["holdout_frequency"])) > 0


def test_the_fits_reproduce_the_published_cdnow_parameters(
    cdnow_summary: dict[str, np.ndarray],
) -> None:
    monetary = np.ma.filled(np.ma.asarray(cdnow_summary["monetary_value_eur"], dtype=float), np.nan)
    rows = fits.fits(
        np.asarray(cdnow_summary["frequency"], dtype=float),
        np.asarray(cdnow_summary["recency"], dtype=float),
        np.asarray(cdnow_summary["customer_age"], dtype=float),
        monetary,
    )
    by_model = {model: i for i, model in enumerate(rows["model"])}
    bg, gg = by_model["bg_nbd"], by_model["gamma_gamma"]
    found = {name: rows[name][bg] for name in PUBLISHED_BG_NBD}
    found |= {name: rows[name][gg] for name in PUBLISHED_GAMMA_GAMMA}
    print("fitted:", {name: round(value, 4) for name, value in found.items()},
          "log-likelihood", round(rows["log_likelihood"][bg], 2))  # fmt: skip
    for name, published in (PUBLISHED_BG_NBD | PUBLISHED_GAMMA_GAMMA).items():
        assert significant(found[name]) == significant(published), name
    assert round(rows["log_likelihood"][bg], 1) == PUBLISHED_LOG_LIKELIHOOD
    assert rows["customers"][bg] == 2357 and rows["customers"][gg] == 946
    assert rows["converged"][bg] and rows["converged"][gg]


def test_a_model_without_the_customers_it_needs_is_not_fitted() -> None:
    none = np.zeros(0)
    rows = fits.fits(none, none, none, none)
    assert rows["customers"] == [0, 0] and rows["converged"] == [False, False]
    assert rows["r"] == [None, None] and rows["p"] == [None, None]
    # nobody came back: buying and dropping out cannot be told apart
    once = fits.fits(np.zeros(5), np.zeros(5), np.full(5, 3.0), np.full(5, np.nan))
    assert once["converged"] == [False, False] and once["log_likelihood"] == [None, None]


def draw_customers(params: dict[str, float], n: int, age: float, horizon: float,
                   seed: int) -> dict[str, np.ndarray]:  # fmt: skip
    """Customers drawn from the BG/NBD and Gamma-Gamma processes, all first
    buying at 0: their calibration summary at `age`, what they did in
    (age, age + horizon], whether they were alive at `age`, and the mean value
    of their purchases (p / nu)."""
    rng = np.random.default_rng(seed)
    rate = rng.gamma(params["r"], 1 / params["alpha"], n)
    dropout = rng.beta(params["a"], params["b"], n)
    nu = rng.gamma(params["q"], 1 / params["v"], n)
    frequency, recency, future = np.zeros(n), np.zeros(n), np.zeros(n)
    value_sum, clock = np.zeros(n), np.zeros(n)
    dropped_by_age = np.zeros(n, dtype=bool)
    active = np.ones(n, dtype=bool)  # not dropped out, not past the horizon
    while active.any():
        clock[active] += rng.exponential(1 / rate[active])
        active &= clock <= age + horizon
        calibration = active & (clock <= age)
        frequency[calibration] += 1
        recency[calibration] = clock[calibration]
        value_sum[calibration] += rng.gamma(params["p"], 1 / nu[calibration])
        future[active & (clock > age)] += 1
        # after each repeat purchase (not the first) the customer may drop out
        drops = active & (rng.random(n) < dropout)
        dropped_by_age |= drops & calibration
        active &= ~drops
    monetary = np.divide(value_sum, frequency, out=np.full(n, np.nan), where=frequency > 0)
    return {
        "frequency": frequency, "recency": recency, "age": np.full(n, age),
        "future": future, "alive": ~dropped_by_age, "monetary": monetary,
        "mean_value": params["p"] / nu,
    }  # fmt: skip


def test_predictions_match_what_customers_drawn_from_the_models_do() -> None:
    """Grouped by calibration frequency, the mean predicted purchases, P(alive)
    and purchase value equal the mean of what the drawn customers did, within
    four standard errors: a wrong formula is off by far more."""
    params = PUBLISHED_BG_NBD | PUBLISHED_GAMMA_GAMMA
    horizon = 39.0
    drawn = draw_customers(params, 200_000, age=39.0, horizon=horizon, seed=11)
    columns = predictions.predictions(
        {"bg_nbd": tuple(params[k] for k in "r alpha a b".split()),
         "gamma_gamma": tuple(params[k] for k in "p q v".split())},
        horizon, horizon, drawn["frequency"], drawn["recency"], drawn["age"], drawn["monetary"],
    )  # fmt: skip
    checked = 0
    for x in range(0, 8):
        group = drawn["frequency"] == x
        if group.sum() < 2000:
            continue
        pairs = [
            ("expected_purchases", drawn["future"]),
            ("p_alive", drawn["alive"].astype(float)),
            ("holdout_expected_purchases", drawn["future"]),
        ]
        if x > 0:
            pairs.append(("expected_purchase_value_eur", drawn["mean_value"]))
        for column, actual in pairs:
            error = actual[group].std() / np.sqrt(group.sum())
            predicted, observed = columns[column][group].mean(), actual[group].mean()
            print(f"x={x} {column}: predicted {predicted:.4f}, drawn {observed:.4f} ± {error:.4f}")
            assert abs(predicted - observed) <= 4 * error + 1e-12, (x, column)
            checked += 1
    assert checked >= 15
    assert np.allclose(
        columns["predicted_revenue_eur"],
        columns["expected_purchases"] * columns["expected_purchase_value_eur"],
    )


def test_a_model_that_did_not_converge_predicts_nothing() -> None:
    x = np.array([0.0, 2.0])
    columns = predictions.predictions(
        {"bg_nbd": None, "gamma_gamma": (6.25, 3.74, 15.44)}, 52.0, 0.0, x, x, x + 5, x * 10
    )
    assert np.isnan(columns["p_alive"]).all() and np.isnan(columns["predicted_revenue_eur"]).all()
    assert np.isnan(columns["holdout_expected_purchases"]).all()
    assert np.isfinite(columns["expected_purchase_value_eur"]).all()


def test_the_warehouse_summary_matches_the_truth(
    warehouse: duckdb.DuckDBPyConnection, sim_dir: Path
) -> None:
    """Each customer whose purchases the truth gives one person: purchase
    days, recency, age and mean repeat value recomputed from the truth's
    orders and returns (their day, their EUR revenue), in weeks."""
    con = build_cursor(warehouse)
    load_truth(con, sim_dir, SALT)
    calibration_end, data_end = con.execute(
        "select calibration_end, data_end from intermediate.int_clv__calibration"
    ).fetchone()
    assert data_end == con.execute(
        "select max(converted_at)::date from marts.fct_conversions"
    ).fetchone()[0]
    assert calibration_end == data_end  # var clv_calibration_end is null
    # the warehouse person of each truth conversion, for truth persons tied to one
    conversions = con.execute(
        """
        select c.person_id, t.converted_at::date as day, t.revenue_eur as revenue,
            not t.is_return as is_purchase
        from marts.fct_conversions as c
        inner join truth_conversions as t using (order_id, sales_channel)
        where c.person_id is not null and c.conversion_type in ('purchase', 'return')
            and c.person_id in (
                select c2.person_id from marts.fct_conversions as c2
                inner join truth_conversions as t2 using (order_id, sales_channel)
                where c2.person_id is not null
                group by c2.person_id having count(distinct t2.person_id) = 1)
        """
    ).fetchall()
    days: dict[str, dict[dt.date, list[float]]] = {}
    for person, day, revenue, is_purchase in conversions:
        entry = days.setdefault(person, {}).setdefault(day, [0.0, 0.0])
        entry[0] += revenue
        entry[1] += is_purchase
    expected = {}
    for person, by_day in days.items():
        purchase_days = sorted(day for day, (_, n) in by_day.items() if n > 0)
        if not purchase_days:
            continue
        first, repeats = purchase_days[0], purchase_days[1:]
        expected[person] = (
            len(repeats),
            ((repeats[-1] - first).days if repeats else 0) / 7,
            (calibration_end - first).days / 7,
            np.mean([by_day[d][0] for d in repeats]) if repeats else None,
        )
    actual = {
        person: (frequency, recency, age, monetary)
        for person, frequency, recency, age, monetary in con.execute(
            "select person_id, frequency, recency, customer_age, monetary_value_eur"
            " from intermediate.int_clv__summary"
        ).fetchall()
        if person in days
    }
    print(f"customers checked against the truth: {len(expected)}")
    assert len(expected) > 1000
    assert actual.keys() == expected.keys()
    wrong = [
        person for person, (x, t_x, age, m) in expected.items()
        if actual[person][0] != x
        or not np.isclose(actual[person][1], t_x, rtol=0, atol=1e-9)
        or not np.isclose(actual[person][2], age, rtol=0, atol=1e-9)
        or (m is None) != (actual[person][3] is None)
        or (m is not None and abs(actual[person][3] - m) > 1e-6)
    ]  # fmt: skip
    assert wrong == [], wrong[:5]
    assert sum(x for x, *_ in expected.values()) > 500  # repeat buyers are there


def test_the_penalizer_shrinks_the_bg_nbd_parameters_only(cdnow_summary: dict[str, np.ndarray]) -> None:
    """clv_penalizer_coef maximises the mean log-likelihood less the penalty:
    the penalised optimum has a smaller sum of squared parameters and a flat
    penalised objective; Gamma-Gamma is left unpenalised."""
    columns = [np.asarray(cdnow_summary[k], dtype=float) for k in ("frequency", "recency", "customer_age")]
    monetary = np.ma.filled(np.ma.asarray(cdnow_summary["monetary_value_eur"], dtype=float), np.nan)
    plain, penalised = fits.fits(*columns, monetary), fits.fits(*columns, monetary, 0.01)
    names = ["r", "alpha", "a", "b"]
    squares = [sum(rows[n][0] ** 2 for n in names) for rows in (plain, penalised)]
    assert squares[1] < squares[0] * 0.9
    assert penalised["converged"] == [True, True] and penalised["penalizer_coef"] == [0.01, 0.0]
    assert [penalised[n][1] for n in "pqv"] == [plain[n][1] for n in "pqv"]
    data = fits.weighted_rows(*columns)

    def objective(log_params: np.ndarray) -> float:
        params = np.exp(log_params)
        return -fits.bg_nbd_log_likelihood(params, *data) / 2357 + 0.01 * float(np.sum(params**2))

    found = np.log([penalised[n][0] for n in names])
    assert np.max(np.abs(fits.gradient(objective, found))) < 1e-6


def test_fit_status_and_predictions_agree(warehouse: duckdb.DuckDBPyConnection) -> None:
    """On the simulated customers: every model was fitted on the customers it
    names; a converged model predicts for every customer, one that did not
    says why and predicts nothing."""
    rows = warehouse.execute(
        "select model, converged, fit_status, customers, time_unit from marts.rpt_clv_model"
        " order by model"
    ).fetchall()
    print(rows)
    assert [(r[0], r[4]) for r in rows] == [("bg_nbd", "week"), ("gamma_gamma", "week")]
    assert all(r[1] == (r[2] == "converged") for r in rows)
    assert all(r[1] or r[2].startswith("not converged: ") for r in rows)
    assert rows[0][3] == warehouse.execute(
        "select count(*) from intermediate.int_clv__summary"
    ).fetchone()[0]
    assert rows[1][3] == warehouse.execute(
        "select count(*) from intermediate.int_clv__summary"
        " where frequency > 0 and monetary_value_eur > 0"
    ).fetchone()[0]
    counts = warehouse.execute(
        "select count(*), count(p_alive), count(expected_purchase_value_eur)"
        " from intermediate.int_clv__predictions"
    ).fetchone()
    assert counts == (rows[0][3], rows[0][3] * rows[0][1], rows[0][3] * rows[1][1])


def test_a_holdout_compares_predicted_and_actual_repeat_purchases(
    sim_build: tuple[Workspace, dict], tmp_path: Path
) -> None:
    """With var clv_calibration_end three weeks before the last day (and a
    small penalizer: these 60 days show few drop-outs), the summary counts
    the holdout's repeat purchase days and the predictions cover the
    holdout."""
    built, _ = sim_build
    workspace = Workspace(landing=built.landing, duckdb=tmp_path / "w.duckdb", salt=SALT)
    for kept, copy in zip(working_paths(built.duckdb), working_paths(workspace.duckdb)):
        shutil.copyfile(kept, copy)
    con = duckdb.connect(str(build_path(built.duckdb)), read_only=True)
    data_end = con.execute("select data_end from intermediate.int_clv__calibration").fetchone()[0]
    con.close()
    end = data_end - dt.timedelta(days=21)
    result = run_dbt(
        workspace,
        ["build", "-s", "int_clv__calibration+",
         "--vars", f"{{clv_calibration_end: '{end.isoformat()}', clv_penalizer_coef: 0.0001}}"],
    )  # fmt: skip
    assert result.success
    con = connect_build(workspace.duckdb)
    calibration = con.execute(
        "select calibration_end, holdout_length from intermediate.int_clv__calibration"
    ).fetchone()
    assert calibration == (end, 3.0)
    late_firsts = con.execute(
        "select count(*) from intermediate.int_clv__summary where first_purchase_on > ?",
        [end],
    ).fetchone()[0]
    assert late_firsts == 0
    holdout = con.execute(
        "select sum(holdout_frequency), count(*) from intermediate.int_clv__summary"
    ).fetchone()
    predicted = con.execute(
        "select sum(holdout_expected_purchases), count(holdout_expected_purchases)"
        " from intermediate.int_clv__predictions"
    ).fetchone()
    assert con.execute("select bool_and(converged) from marts.rpt_clv_model").fetchone()[0]
    revenue = con.execute(
        "select count(*), count(predicted_revenue_eur), sum(holdout_frequency)"
        " from marts.mart_customer_value"
    ).fetchone()
    assert revenue == (holdout[1], holdout[1], holdout[0])
    report = con.execute(
        "select sum(customers), sum(actual_purchases), sum(predicted_purchases), max(frequency_group)"
        " from marts.rpt_clv_holdout"
    ).fetchone()
    assert report[:2] == (holdout[1], holdout[0]) and abs(report[2] - predicted[0]) < 1e-6
    assert report[3] <= 7
    print(f"holdout of 3 weeks: {holdout[0]} repeat purchase days, {predicted[0]:.1f} predicted")
    assert holdout[0] > 100 and predicted[1] == holdout[1]
