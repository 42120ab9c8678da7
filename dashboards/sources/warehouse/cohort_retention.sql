-- Monthly first-order cohorts and their retention.
select * from marts.mart_cohort_retention
