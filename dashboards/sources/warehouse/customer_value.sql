-- Each customer's predicted value with their acquisition channel and RFM
-- segment.
select
    customers.person_id,
    coalesce(persons.acquisition_channel, 'Unknown') as acquisition_channel,
    coalesce(rfm.rfm_segment, 'Unscored') as rfm_segment,
    customers.p_alive,
    customers.expected_purchases,
    customers.predicted_revenue_eur,
    customers.predicted_gross_margin_eur
from marts.mart_customer_value as customers
left join marts.dim_persons as persons
    on customers.person_id = persons.person_id
left join marts.mart_customer_rfm as rfm
    on customers.person_id = rfm.person_id
