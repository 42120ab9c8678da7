-- Customers per RFM segment.
select
    rfm_segment,
    count(*) as customers,
    avg(recency_days) as avg_recency_days,
    avg(frequency) as avg_frequency,
    sum(monetary_eur) as monetary_eur
from marts.mart_customer_rfm
group by all
