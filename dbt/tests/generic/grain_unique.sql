{#- Generic test: the model's grain, at most one row per value of `columns` (a composite key), as a
    unique test does for one column. Declared at model level in the models' YAML on every model whose
    grain is not an enforced primary key (the marts and reporting models have primary_key
    constraints instead); its description is the docs block test_grain_unique (dbt/docs/tests.md).
    Returns each duplicated key with its row count. -#}
{% test grain_unique(model, columns) %}
{%- set keys = columns | join(', ') -%}
select {{ keys }}, count(*) as n_rows
from {{ model }}
group by {{ keys }}
having count(*) > 1
{% endtest %}
