-- Persons entering, in and having reached each lifecycle stage, per day.
select * from marts.mart_lifecycle_daily
