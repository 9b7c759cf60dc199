{#- Generic test: the model's grain, at most one row per value of `columns` (a composite key), as a
    unique test does for one column. Declared at model level in the models' YAML on every model whose
    grain is not an enforced primary key (the marts and reporting models have primary_key
    constraints instead); its description is the docs block test_grain_unique (dbt/docs/tests.md).
    Returns each duplicated key with its row count.

    Two passes, the same answer as one group by on the key: the wage tables hold millions of rows
    keyed by a 64-character person key, and grouping on that text costs more than grouping on one
    64-bit hash of the key (macro key_hash). Equal keys have equal hashes, so every duplicated key
    lies among the rows whose hash is seen more than once; only those rows (none, or a few hash
    collisions, when the grain holds) are then grouped on the key itself, which decides. -#}
{% test grain_unique(model, columns) %}
{%- set keys = columns | join(', ') -%}
with hashed as (
    select {{ keys }}, {{ key_hash(columns) }} as key_hash
    from {{ model }}
),

shared_hashes as (
    select key_hash from hashed group by key_hash having count(*) > 1
)

select {{ keys }}, count(*) as n_rows
from hashed
where key_hash in (select key_hash from shared_hashes)
group by {{ keys }}
having count(*) > 1
{% endtest %}
