{#- Suppression of the published `reporting` schema: docs/reporting_rules.md §8 (NCES SLDS Technical
    Brief 3), one implementation for every reporting table. K = var ler:min_cell (LER_MIN_CELL).

    Rules, applied to the exact mart values in the spec's order:
      1. primary: a count from 1 to K - 1 becomes null (0 stays 0);
      2. too few to measure: a statistic (rate, median, percentile, top_industry_q4) whose
         denominator, judged on exact values, is below K becomes null;
      3. complementary: `pairs` (a count hidden whenever another count of its row is: n_cohort with
         n_excluded) and `wholes` (the parts of a published whole, e.g. the program rows of a
         statewide row): for each count column and each family of parts whose whole publishes that
         column, when exactly one part has it null, the part with the smallest published non-zero
         value (ties: the lowest grain, column by column) is nulled too; repeated until no family
         changes (macro complementary_passes);
      4. a statistic whose `follows` counts (a rate's numerator and published denominator; the
         count of top_industry_q4) were nulled by rule 1 or 3 becomes null;
      5. rates and earnings rounded (`decimals`), half away from zero (DuckDB round), after every
         decision above was taken on exact values;
      6. suppressed_columns: the columns nulled by rules 1-4, in the order of `measures` (the table
         order), ';'-joined, null when none; suppressed = suppressed_columns is not null. A value
         already null in the mart is never listed (it was not hidden, it is not computable).
    Every other column passes through unchanged (`select * replace`), so the macro never has to
    introspect the mart and works on a dbt unit test's fixture as on the real table.

    Arguments:
      mart      the exact table (a ref);
      grain     its key columns, in key order (rule 3's tie order);
      measures  [{column, denominator?, decimals?, follows?}] in table order: an entry without a
                denominator is a count; with one, a statistic (denominator: SQL over mart columns);
      pairs     {count: other count}: rule 3 within a row;
      wholes    {relation, keys, family}: rule 3 against a published whole: `relation` is the
                published whole table (a ref to its reporting model), `keys` the columns a part
                shares with its whole, `family` extra part columns that split a whole's parts into
                separate families (group_dimension). -#}
{% macro suppressed_outcomes(mart, grain, measures, pairs={}, wholes=none) -%}
{%- set min_cell = var('ler:min_cell') -%}
{%- set counts = measures | rejectattr('denominator', 'defined') | map(attribute='column') | list -%}
{%- set statistics = measures | selectattr('denominator', 'defined') | list -%}
{%- set flags = [] -%}
{%- for m in measures %}{% do flags.append(suppression_flag(m.column)) %}{% endfor -%}
with recursive mart as (
    select * from {{ mart }}
),

primary_rules as (
    -- rules 1 and 2, on exact values
    select
        *,
        {%- for c in counts %}
        coalesce({{ c }} between 1 and {{ min_cell - 1 }}, false) as {{ suppression_flag(c) }},
        {%- endfor %}
        {%- for s in statistics %}
        coalesce({{ s.column }} is not null and ({{ s.denominator }}) < {{ min_cell }}, false)
            as {{ suppression_flag(s.column) }}{{ ',' if not loop.last }}
        {%- endfor %}
    from mart
),

paired as (
    -- rule 3 within a row
    {%- set paired_flags = [] %}
    {%- for c, other in pairs.items() %}
        {%- do paired_flags.append([suppression_flag(c) ~ ' or (' ~ suppression_flag(other) ~ ' and ' ~ c ~ ' is not null)',
                                    suppression_flag(c)]) %}
    {%- endfor %}
    select {{ star_replace(paired_flags) }}
    from primary_rules
),

{%- if wholes %}
{%- set keys = wholes['keys'] %}
{%- set family = keys + wholes.get('family', []) %}

part_cells as (
    {%- for c in counts %}
    select
        {{ grain | join(', ') }},
        {%- for f in family if f not in grain %} {{ f }},{% endfor %}
        '{{ c }}' as column_name,
        {{ c }} as value,
        {{ suppression_flag(c) }} as is_hidden
    from paired
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

whole_cells as (
    {%- for c in counts %}
    select {{ keys | join(', ') }}, '{{ c }}' as column_name, {{ c }} is not null as is_whole_published
    from {{ wholes['relation'] }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

cells as (
    select p.*, coalesce(w.is_whole_published, false) as is_whole_published
    from part_cells as p
    left join whole_cells as w using ({{ keys | join(', ') }}, column_name)
),

{{ complementary_passes('cells', grain, family) }},

complemented as (
    select
        {{ grain | join(', ') }},
        {%- for c in counts %}
        bool_or(is_hidden) filter (where column_name = '{{ c }}') as {{ suppression_flag(c) }}{{ ',' if not loop.last }}
        {%- endfor %}
    from fixed_point
    group by {{ grain | join(', ') }}
),

hidden_counts as (
    select
        {%- set count_flags = [] %}{% for c in counts %}{% do count_flags.append(suppression_flag(c)) %}{% endfor %}
        {{ star_except(count_flags, 'p') }},
        {%- for c in counts %}
        c.{{ suppression_flag(c) }}{{ ',' if not loop.last }}
        {%- endfor %}
    from paired as p
    join complemented as c using ({{ grain | join(', ') }})
),
{%- else %}

hidden_counts as (
    select * from paired
),
{%- endif %}

followed as (
    -- rule 4: a statistic follows the counts it would give back
    {%- set followed_flags = [] %}
    {%- for s in statistics | selectattr('follows', 'defined') %}
        {%- set hidden_follows = [] %}
        {%- for f in s.follows %}{% do hidden_follows.append(suppression_flag(f)) %}{% endfor %}
        {%- do followed_flags.append([suppression_flag(s.column) ~ ' or (' ~ s.column ~ ' is not null and ('
                                      ~ (hidden_follows | join(' or ')) ~ '))', suppression_flag(s.column)]) %}
    {%- endfor %}
    select {{ star_replace(followed_flags) }}
    from hidden_counts
),

published as (
    -- rule 5 and the list of rule 6
    {%- set published_measures = [] %}
    {%- for m in measures %}
        {%- set value = round_half_away(m.column, m.decimals) if m.decimals is defined else m.column %}
        {%- do published_measures.append(['case when ' ~ suppression_flag(m.column) ~ ' then null else ' ~ value ~ ' end',
                                          m.column]) %}
    {%- endfor %}
    select
        {{ star_replace(published_measures, flags) }},
        nullif(concat_ws(';',
            {%- for m in measures %}
            case when {{ suppression_flag(m.column) }} then '{{ m.column }}' end{{ ',' if not loop.last }}
            {%- endfor %}
        ), '') as suppressed_columns
    from followed
),

final as (
    select *, suppressed_columns is not null as suppressed
    from published
)

select * from final order by {{ grain | join(', ') }}
{%- endmacro %}


{#- The name of the working flag "column c is hidden" (never published: the final select drops it). -#}
{% macro suppression_flag(column) -%}
is_hidden__{{ column }}
{%- endmacro %}


{#- One pass's choice of the complement (rule 3), the same on both engines: the part of a
    published whole, not hidden yet, not 0, that is the smallest (ties: the lowest key) when exactly
    one part of its whole is hidden. -#}
{% macro complement_choice(partition, grain) -%}
p.is_whole_published
                and not p.is_hidden
                and coalesce(p.value, 0) <> 0
                and count(*) filter (where p.is_hidden) over (partition by {{ partition }}) = 1
                and row_number() over (
                    partition by {{ partition }}
                    order by p.is_hidden or coalesce(p.value, 0) = 0, p.value, {{ grain | join(', ') }}
                ) = 1
{%- endmacro %}


{#- Rule 3 of docs/reporting_rules.md §8, iterated to its fixed point: a recursive CTE over passes.

    `cells`: one row per (part, count column) with the part's grain and family columns,
    column_name, value (exact), is_hidden (rules 1 and 3 so far) and is_whole_published. Pass 0 is
    the input; each pass, in every family (family columns x column_name) whose whole is published
    and that has exactly one hidden part, hides the part with the smallest non-zero value not yet
    hidden (ties: the lowest grain, column by column). Passes continue while the previous one hid
    something; each such pass hides at least one more cell, so there are at most (cells + 1) passes.
    The result, `fixed_point`, is the last pass: no family of a published whole has exactly one
    hidden part any more, unless no part with a non-zero value is left to hide.

    With today's families (a part belongs to one whole; wholes are never hidden by this rule) the
    second pass already finds nothing to do: hiding a part changes only its own family, which then
    has two hidden parts. The loop stays so that a part that belongs to two wholes (a future table)
    is handled without a change here. -#}
{% macro complementary_passes(cells, grain, family) -%}
    {{- return(adapter.dispatch('complementary_passes', 'ler_warehouse')(cells, grain, family)) -}}
{%- endmacro %}

{% macro default__complementary_passes(cells, grain, family) -%}
{%- set partition = family | join(', ') ~ ', column_name' -%}
complement_passes as (
    select 0 as pass, * exclude (is_hidden), is_hidden, true as is_changed
    from {{ cells }}
    union all
    select
        pass + 1 as pass,
        * exclude (pass, is_hidden, is_changed, is_chosen, any_changed),
        is_hidden or is_chosen as is_hidden,
        is_chosen as is_changed
    from (
        select
            p.*,
            {{ complement_choice(partition, grain) }} as is_chosen,
            bool_or(p.is_changed) over () as any_changed
        from complement_passes as p
    )
    where any_changed
),

fixed_point as (
    select * exclude (pass, is_changed)
    from complement_passes
    where pass = (select max(pass) from complement_passes)
)
{%- endmacro %}


{#- The measures of the legislative tables (docs/reporting_rules.md §7.2, §7.3, §7.5) in table order,
    with the denominator of each statistic (rule 2), its rounding (rule 5) and the counts it follows
    (rule 4). The order is that of the macro completion_outcomes' columns. -#}
{% macro legislative_outcome_measures() -%}
    {%- set measures = [{'column': 'n_completers'}, {'column': 'n_unmatchable'}] -%}
    {%- for q in [2, 4] -%}
        {%- do measures.extend([
            {'column': 'n_observed_q' ~ q},
            {'column': 'n_employed_q' ~ q},
            {'column': 'employment_rate_q' ~ q, 'denominator': 'n_observed_q' ~ q, 'decimals': 4,
             'follows': ['n_employed_q' ~ q, 'n_observed_q' ~ q]},
            {'column': 'median_earnings_q' ~ q, 'denominator': 'n_employed_q' ~ q, 'decimals': 0},
        ]) -%}
    {%- endfor -%}
    {%- do measures.append({'column': 'top_industry_q4', 'denominator': 'n_employed_q4',
                            'follows': ['n_employed_q4']}) -%}
    {%- for k in [1, 3, 5] -%}
        {%- do measures.append({'column': 'y' ~ k ~ '_n_attached'}) -%}
        {%- for p in ['p25', 'p50', 'p75'] -%}
            {%- do measures.append({'column': 'y' ~ k ~ '_' ~ p ~ '_earnings',
                                    'denominator': 'y' ~ k ~ '_n_attached', 'decimals': 0}) -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(measures) }}
{%- endmacro %}


{#- Spark (docs/spark.md): a recursive CTE there may not hold a window function, so the passes are
    unrolled, `passes` of them after pass 0 (each the same step as a pass of the recursive CTE
    above, on the result of the one before). With today's families the first pass reaches the fixed
    point; the build fails (raise_error) when the last unrolled pass still hid a cell, so a result
    is always the fixed point the recursive CTE gives (raise `passes` here if a future table needs
    more). -#}
{% macro spark__complementary_passes(cells, grain, family) -%}
{%- set partition = family | join(', ') ~ ', column_name' -%}
{%- set passes = 3 -%}
complement_pass_0 as (
    select {{ star_except(['is_hidden']) }}, is_hidden, true as is_changed
    from {{ cells }}
),
{%- for n in range(1, passes + 1) %}

complement_pass_{{ n }} as (
    select
        {{ star_except(['is_hidden', 'is_changed', 'is_chosen']) }},
        is_hidden or is_chosen as is_hidden,
        is_chosen as is_changed
    from (
        select
            p.*,
            {{ complement_choice(partition, grain) }} as is_chosen
        from complement_pass_{{ n - 1 }} as p
    )
),
{%- endfor %}

fixed_point as (
    select {{ star_except(['is_changed']) }}
    from complement_pass_{{ passes }}
    where (
        select case when coalesce(bool_or(is_changed), false) then raise_error(
            'complementary suppression needs more than {{ passes }} passes (dbt/macros/suppression.sql)')
            else true end
        from complement_pass_{{ passes }}
    )
)
{%- endmacro %}
