{#- Generic test: a model's column rules in one node, declared once per model in the models' YAML:
    `not_null` lists the columns that must never be null; `accepted_values` maps a column to its
    closed list of codes (a list, or {values: [...], quote: false, where: "<condition>"} for numbers
    or a list that applies only to some rows). Nulls are not judged by accepted_values (as dbt's
    own test): a required code is in both. `matches` maps a column to the regular expression (RE2,
    DuckDB's regexp_full_match) every non-null value must match whole: the form of a key, such as
    the 64 hex digits of a person key. The model's keys too: `grain` lists the columns of its
    grain (at most one row per combination, nulls included, as grain_unique.sql), `unique` the
    single columns that are keys of their own (nulls not judged, as dbt's unique), and `references`
    maps a foreign-key column to {to: "ref('parent')", field: parent_column} (every non-null value
    exists in the parent, as dbt's relationships).

    Why one test per model instead of dbt's not_null, accepted_values, unique and relationships per
    column and a grain test beside them: each dbt test is a query over the whole model (at state
    size, a scan of tens of millions of wage rows) and a node dbt and Dagster pay for on every run
    (about 50 ms of dbt's own work and an asset check event each, measured 2026-12-02: the 53 key
    tests folded in here were a fifth of a small run's dbt time); this is one aggregate pass for the
    column rules plus one grouping per key and one anti-join per reference. What a failure returns:
    one row per broken rule, the column, the rule and the number of rows breaking it (for a key: the
    rows whose key another row has; for a reference: the orphan rows); never a value (a code outside
    the list may be personal data, such as an id typed into the wrong column). Its description is
    the docs block test_column_rules (dbt/docs/tests.md). Portable SQL (aggregate filters as
    `sum(case ...)`, no unpivot) but for `matches`, which is DuckDB's: data tests run on DuckDB,
    also after a Spark build (docs/spark.md). -#}
{% test column_rules(model, not_null=[], accepted_values={}, matches={}, grain=[], unique=[], references={}) %}
{%- set rules = [] -%}
{%- for column in not_null -%}
  {%- do rules.append((column, 'not_null', adapter.quote(column) ~ ' is null')) -%}
{%- endfor -%}
{%- for column, spec in accepted_values.items() -%}
  {%- set spec = spec if spec is mapping else {'values': spec} -%}
  {%- set quote = spec.get('quote', true) -%}
  {%- set listed = [] -%}
  {%- for value in spec['values'] -%}
    {%- do listed.append(("'" ~ (value | string | replace("'", "''")) ~ "'") if quote else (value | string)) -%}
  {%- endfor -%}
  {%- set broken = adapter.quote(column) ~ ' not in (' ~ listed | join(', ') ~ ')' -%}
  {%- if spec.get('where') -%}
    {%- set broken = '(' ~ spec['where'] ~ ') and ' ~ broken -%}
  {%- endif -%}
  {%- do rules.append((column, 'accepted_values', broken)) -%}
{%- endfor -%}
{%- for column, pattern in matches.items() -%}
  {%- do rules.append((column, 'matches',
      'not regexp_full_match(' ~ adapter.quote(column) ~ ", '" ~ (pattern | replace("'", "''")) ~ "')")) -%}
{%- endfor -%}
{#- the keys and references: (name of its CTE, column text of the failure row, rule, the query of
    the number of rows breaking it) -#}
{%- set keys = [] -%}
{%- if grain -%}
  {%- set columns = grain | map('string') | list -%}
  {%- set by = [] -%}
  {%- for column in columns %}{% do by.append(adapter.quote(column)) %}{% endfor -%}
  {%- do keys.append(('key_grain', columns | join(', '), 'grain',
      'select coalesce(sum(n), 0) as n from (select count(*) as n from ' ~ model ~ ' group by '
      ~ by | join(', ') ~ ' having count(*) > 1) as duplicated')) -%}
{%- endif -%}
{%- for column in unique -%}
  {%- do keys.append(('key_unique_' ~ loop.index, column, 'unique',
      'select coalesce(sum(n), 0) as n from (select count(*) as n from ' ~ model ~ ' where '
      ~ adapter.quote(column) ~ ' is not null group by ' ~ adapter.quote(column)
      ~ ' having count(*) > 1) as duplicated')) -%}
{%- endfor -%}
{%- for column, spec in references.items() -%}
  {%- set field = adapter.quote(spec['field']) -%}
  {%- do keys.append(('key_references_' ~ loop.index, column,
      'references ' ~ spec['to'].identifier ~ '.' ~ spec['field'],
      'select count(*) as n from (select ' ~ adapter.quote(column) ~ ' as v from ' ~ model ~ ') as child'
      ~ ' left join ' ~ spec['to'] ~ ' as parent on child.v = parent.' ~ field
      ~ ' where child.v is not null and parent.' ~ field ~ ' is null')) -%}
{%- endfor -%}
{%- if rules | length + keys | length == 0 -%}
  {{ exceptions.raise_compiler_error("column_rules on " ~ model ~ ": no rule (not_null, accepted_values, matches, grain, unique or references)") }}
{%- endif -%}
{%- set parts = [] -%}
with
{%- if rules %}
counted as (
    select
    {%- for column, rule, broken in rules %}
        sum(case when {{ broken }} then 1 else 0 end) as n_{{ loop.index }}{{ ',' if not loop.last }}
    {%- endfor %}
    from {{ model }}
){{ ',' if keys }}
{%- endif %}
{%- for name, column, rule, sql in keys %}
{{ name }} as (
    {{ sql }}
){{ ',' if not loop.last }}
{%- endfor %}
{%- for column, rule, broken in rules %}
  {%- do parts.append("select '" ~ column ~ "' as column_name, '" ~ rule ~ "' as rule, n_" ~ loop.index ~ " as n_rows from counted where n_" ~ loop.index ~ " > 0") -%}
{%- endfor %}
{%- for name, column, rule, sql in keys %}
  {%- do parts.append("select '" ~ column ~ "' as column_name, '" ~ rule ~ "' as rule, n as n_rows from " ~ name ~ " where n > 0") -%}
{%- endfor %}
{{ parts | join('\nunion all\n') }}
{% endtest %}
