{#- Generic test: a model's column rules in one scan, declared once per model in the models' YAML:
    `not_null` lists the columns that must never be null; `accepted_values` maps a column to its
    closed list of codes (a list, or {values: [...], quote: false, where: "<condition>"} for numbers
    or a list that applies only to some rows). Nulls are not judged by accepted_values (as dbt's
    own test): a required code is in both.

    Why one test per model instead of dbt's not_null and accepted_values per column: each dbt test
    is a query over the whole model (at state size, a scan of tens of millions of wage rows) and a
    node dbt and Dagster pay for on every run; this is one aggregate pass, whatever the number of
    columns. What a failure returns: one row per broken rule, the column, the rule and the number of
    rows breaking it; never a value (a code outside the list may be personal data, such as an id
    typed into the wrong column). Its description is the docs block test_column_rules
    (dbt/docs/tests.md). Portable SQL (aggregate filters as `sum(case ...)`, no unpivot). -#}
{% test column_rules(model, not_null=[], accepted_values={}) %}
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
{%- if rules | length == 0 -%}
  {{ exceptions.raise_compiler_error("column_rules on " ~ model ~ ": no not_null column and no accepted_values") }}
{%- endif -%}
with counted as (
    select
    {%- for column, rule, broken in rules %}
        sum(case when {{ broken }} then 1 else 0 end) as n_{{ loop.index }}{{ ',' if not loop.last }}
    {%- endfor %}
    from {{ model }}
)
{%- for column, rule, broken in rules %}
select '{{ column }}' as column_name, '{{ rule }}' as rule, n_{{ loop.index }} as n_rows
from counted where n_{{ loop.index }} > 0
{{ 'union all' if not loop.last }}
{%- endfor %}
{% endtest %}
