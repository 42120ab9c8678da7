-- Every raw row accounted for: staged, duplicate or quarantined.
select * from marts.rpt_row_accounting
