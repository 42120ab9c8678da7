-- The funnel mart as it is: step counts per period and breakdown.
select * from marts.mart_funnel
