-- One row per fitted lifetime-value model: bg_nbd (r, alpha, a, b) and
-- gamma_gamma (p, q, v), the other parameters null, with the fit's
-- log-likelihood, the customers it was fitted on, the calibration period
-- and unit, and whether it converged and why not (int_clv__fits).
with

fits as (
    select * from {{ ref('int_clv__fits') }}
),

calibration as (
    select * from {{ ref('int_clv__calibration') }}
),

final as (
    select
        fits.model,
        fits.r,
        fits.alpha,
        fits.a,
        fits.b,
        fits.p,
        fits.q,
        fits.v,
        fits.log_likelihood,
        cast(fits.customers as integer) as customers,
        calibration.calibration_end,
        calibration.time_unit,
        fits.converged,
        fits.fit_status,
        fits.penalizer_coef,
        cast(fits.evaluations as integer) as evaluations
    from fits
    cross join calibration
)

select * from final
