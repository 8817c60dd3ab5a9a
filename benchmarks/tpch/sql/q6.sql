-- TPC-H Q6: Forecasting Revenue Change. Validation parameters DATE = 1994-01-01,
-- DISCOUNT = 0.06, QUANTITY = 24. The spec's "between 0.06 - 0.01 and 0.06 + 0.01" is
-- folded exactly to 0.05 / 0.07 (in float64, 0.06 + 0.01 = 0.06999999999999999 drops rows).
select
    sum(l_extendedprice * l_discount) as revenue
from
    lineitem
where
    l_shipdate >= date '1994-01-01'
    and l_shipdate < date '1995-01-01'
    and l_discount between 0.05 and 0.07
    and l_quantity < 24
