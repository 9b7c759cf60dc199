{#- Generic test: every published cell of a reporting model obeys LER_SPEC.md §8 (NCES SLDS Technical
    Brief 3), re-derived from the exact mart independently of the macro suppressed_select:
      a count of 1 to LER_MIN_CELL - 1 is null, 0 stays 0, larger counts are exact;
      a rate, median or percentile is null when its denominator (exact mart value) is below
      LER_MIN_CELL, else it is the mart value rounded (rates to 4 decimals, earnings to whole dollars);
      suppressed is true exactly when some value was nulled by these rules;
      the other listed columns are the mart's, unchanged.
    Arguments: mart (a ref), grain (columns), counts (columns), stats ({column: [denominator expression
    over mart columns, decimals]}), passthru (columns). Returns each published row that differs, with
    the first column found wrong. -#}
{% test suppression_holds(model, mart, grain, counts, stats, passthru) %}
{%- set min_cell = var('ler:min_cell') -%}
with expected as (
    select
        *,
        {%- for c in counts %}
        case when {{ c }} between 1 and {{ min_cell - 1 }} then null else {{ c }} end as expected_{{ c }},
        {%- endfor %}
        {%- for c, rule in stats.items() %}
        case when {{ rule[0] }} < {{ min_cell }} then null else round({{ c }}, {{ rule[1] }}) end as expected_{{ c }},
        {%- endfor %}
        (
            {%- for c in counts %}
            {{ c }} between 1 and {{ min_cell - 1 }} or
            {%- endfor %}
            {%- for c, rule in stats.items() %}
            ({{ c }} is not null and {{ rule[0] }} < {{ min_cell }}) or
            {%- endfor %}
            false
        ) as expected_suppressed
    from {{ mart }}
),

checked as (
    select
        {{ grain | join(', ') }},
        case
            {%- for c in counts %}
            when p.{{ c }} is distinct from e.expected_{{ c }} then '{{ c }}'
            {%- endfor %}
            {%- for c in stats %}
            when abs(coalesce(p.{{ c }}, -1e18) - coalesce(e.expected_{{ c }}, -1e18)) > 1e-9 then '{{ c }}'
            {%- endfor %}
            {%- for c in passthru %}
            when p.{{ c }} is distinct from e.{{ c }} then '{{ c }}'
            {%- endfor %}
            when p.suppressed is distinct from e.expected_suppressed then 'suppressed'
        end as wrong_column
    from expected as e
    join {{ model }} as p using ({{ grain | join(', ') }})
)

select * from checked where wrong_column is not null
{% endtest %}
