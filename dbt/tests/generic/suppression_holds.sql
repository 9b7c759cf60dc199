{#- Generic test: every published cell of a reporting model obeys docs/reporting_rules.md §8 (NCES SLDS
    Technical Brief 3), re-derived from the exact mart independently of the macro suppressed_outcomes:
      a published count is its exact value or null; a count of 1 to LER_MIN_CELL - 1 is null (rule 1);
      a count is null only by rule 1, by its `pairs` partner being null, or, for the `complemented`
      counts (parts of a whole), as a complement (non-zero; which one is the test
      complementary_suppression_holds); 0 is never hidden;
      a statistic is null when the mart's is, when its denominator (exact) is below LER_MIN_CELL
      (rule 2) or when one of the counts it follows is null (rule 4); else it is the mart value
      rounded (rule 5; decimals null = not rounded, e.g. top_industry_q4);
      suppressed_columns lists exactly the cells that are null here and not in the mart, in table
      order; suppressed = suppressed_columns is not null (rule 6);
      the passthru columns are the mart's, unchanged.
    Arguments: mart (a ref), grain (columns), counts (columns), stats ({column: [denominator
    expression over mart columns, decimals, [counts it follows]]}), passthru (columns), complemented
    (counts rule 3 may hide), pairs ({count: the count whose hiding hides it}). Returns each
    published row that differs, with the first column found wrong. -#}
{% test suppression_holds(model, mart, grain, counts, stats, passthru, complemented=[], pairs={}) %}
{%- set min_cell = var('ler:min_cell') -%}
{%- set measures = counts + (stats.keys() | list) -%}
{%- set table_order = [] -%}
{%- if execute -%}
    {%- for col in adapter.get_columns_in_relation(model) if col.name in measures -%}
        {%- do table_order.append(col.name) -%}
    {%- endfor -%}
{%- endif -%}
with exact as (
    select
        {{ grain | join(', ') }},
        {%- for c in measures + passthru %}
        {{ c }} as exact__{{ c }},
        {%- endfor %}
        {%- for c, rule in stats.items() %}
        coalesce(({{ rule[0] }}) < {{ min_cell }}, false) as small_denominator__{{ c }},
        {%- endfor %}
    from {{ mart }}
),

joined as (
    select e.*, p.* exclude ({{ grain | join(', ') }})
    from exact as e
    join {{ model }} as p using ({{ grain | join(', ') }})
),

expected as (
    select
        *,
        {%- for c, rule in stats.items() %}
        case
            when exact__{{ c }} is null or small_denominator__{{ c }}
                {%- for f in rule[2] %} or {{ f }} is null{% endfor %} then null
            {%- if rule[1] is not none %}
            else round(exact__{{ c }}, {{ rule[1] }})
            {%- else %}
            else exact__{{ c }}
            {%- endif %}
        end as expected__{{ c }},
        {%- endfor %}
        nullif(concat_ws(';',
            {%- for c in table_order %}
            case when {{ c }} is null and exact__{{ c }} is not null then '{{ c }}' end,
            {%- endfor %}
            null
        ), '') as expected__suppressed_columns
    from joined
),

checked as (
    select
        {{ grain | join(', ') }},
        case
            {%- for c in counts %}
            when {{ c }} is not null and {{ c }} is distinct from exact__{{ c }} then '{{ c }}: not the exact value'
            when exact__{{ c }} between 1 and {{ min_cell - 1 }} and {{ c }} is not null then '{{ c }}: rule 1 not applied'
            {%- if c in pairs %}
            when {{ pairs[c] }} is null and {{ c }} is not null then '{{ c }}: not hidden with {{ pairs[c] }}'
            {%- endif %}
            when {{ c }} is null
                and not coalesce(exact__{{ c }} between 1 and {{ min_cell - 1 }}, false)
                {%- if c in pairs %} and {{ pairs[c] }} is not null{% endif %}
                {%- if c in complemented %} and not coalesce(exact__{{ c }} > 0, false){% endif %}
                then '{{ c }}: hidden by no rule'
            {%- endfor %}
            {%- for c, rule in stats.items() %}
            {%- if rule[1] is not none %}
            when abs(coalesce({{ c }}, -1e18) - coalesce(expected__{{ c }}, -1e18)) > 1e-9 then '{{ c }}'
            {%- else %}
            when {{ c }} is distinct from expected__{{ c }} then '{{ c }}'
            {%- endif %}
            {%- endfor %}
            {%- for c in passthru %}
            when {{ c }} is distinct from exact__{{ c }} then '{{ c }}'
            {%- endfor %}
            when suppressed_columns is distinct from expected__suppressed_columns then 'suppressed_columns'
            when suppressed is distinct from (suppressed_columns is not null) then 'suppressed'
        end as wrong_column
    from expected
)

select * from checked where wrong_column is not null
{% endtest %}
