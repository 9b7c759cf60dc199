{#- Suppression for the published `reporting` schema (LER_SPEC.md §8; NCES SLDS Technical Brief 3).

    * counts of 1 to (LER_MIN_CELL - 1) become null; 0 stays 0;
    * a rate, median or percentile whose denominator is below LER_MIN_CELL becomes null;
    * earnings are rounded to whole dollars and rates to 4 decimals;
    * `suppressed` is true on every row where any value was nulled by these rules.

    `counts`: count columns. `stats`: {column: [denominator expression, decimals]}. Every other column
    of the mart passes through unchanged, in the mart's column order. Denominators are the exact
    (unsuppressed) mart values. -#}
{% macro suppressed_select(relation, counts, stats) -%}
    {%- set min_cell = var('ler:min_cell') -%}
    {%- set columns = adapter.get_columns_in_relation(relation) if execute else [] -%}
    {%- set nulled = [] -%}
    select
    {%- for col in columns %}
        {%- set name = col.name %}
        {%- if name in counts %}
        case when {{ name }} between 1 and {{ min_cell - 1 }} then null else {{ name }} end as {{ name }},
            {%- do nulled.append("(" ~ name ~ " between 1 and " ~ (min_cell - 1) ~ ")") %}
        {%- elif name in stats %}
            {%- set denominator, decimals = stats[name] %}
        case when {{ denominator }} < {{ min_cell }} then null else round({{ name }}, {{ decimals }}) end
            as {{ name }},
            {%- do nulled.append("(" ~ name ~ " is not null and " ~ denominator ~ " < " ~ min_cell ~ ")") %}
        {%- else %}
        {{ name }},
        {%- endif %}
    {%- endfor %}
        {{ nulled | join(' or ') if nulled else 'false' }} as suppressed
    from {{ relation }}
{%- endmacro %}

{#- The rate / median / percentile columns of §7.2 and §7.3 with their denominators. -#}
{% macro legislative_outcome_stats() -%}
    {%- set stats = {} -%}
    {%- for q in [2, 4] -%}
        {%- do stats.update({'employment_rate_q' ~ q: ['n_observed_q' ~ q, 4],
                             'median_earnings_q' ~ q: ['n_employed_q' ~ q, 0]}) -%}
    {%- endfor -%}
    {%- for k in [1, 3, 5] -%}
        {%- for p in ['p25', 'p50', 'p75'] -%}
            {%- do stats.update({'y' ~ k ~ '_' ~ p ~ '_earnings': ['y' ~ k ~ '_n_attached', 0]}) -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(stats) }}
{%- endmacro %}
