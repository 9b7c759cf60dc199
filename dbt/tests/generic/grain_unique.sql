{#- Generic test: the model's grain, at most one row per value of `columns` (a composite key), as a
    unique test does for one column. Declared at model level in the models' YAML on the models that
    have no column_rules test (column_rules.sql checks the grain of every other model with its
    `grain` list, in the same node as its column rules): the wage tables, whose grain is checked on
    the latest slice with hash_first, and int_learners__consent. Its description is the docs block
    test_grain_unique (dbt/docs/tests.md). Returns each duplicated key with its row count.

    `hash_first=true` (the wage tables: millions of rows keyed by a 64-character person key) gives
    the same rows in two cheaper passes: grouping on one 64-bit hash of the key (macro key_hash)
    costs less than grouping on the text. Equal keys have equal hashes, so every duplicated key lies
    among the rows whose hash is seen more than once; only those rows (none, or a few hash
    collisions, when the grain holds) are then grouped on the key itself, which decides. The model
    is read twice rather than held between the passes (holding the key text costs more than a
    second scan of a table). -#}
{% test grain_unique(model, columns, hash_first=false) %}
{%- set keys = columns | join(', ') -%}
{%- if hash_first %}
with shared_hashes as (
    select {{ key_hash(columns) }} as key_hash
    from {{ model }}
    group by 1
    having count(*) > 1
)

select {{ keys }}, count(*) as n_rows
from {{ model }}
where {{ key_hash(columns) }} in (select key_hash from shared_hashes)
group by {{ keys }}
having count(*) > 1
{%- else %}
select {{ keys }}, count(*) as n_rows
from {{ model }}
group by {{ keys }}
having count(*) > 1
{%- endif %}
{% endtest %}
