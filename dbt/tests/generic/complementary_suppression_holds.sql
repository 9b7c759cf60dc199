{#- Generic test: rule 3 of docs/reporting_rules.md §8 (complementary suppression) holds between a
    published table of parts (the model) and its published whole, re-derived from the exact parts
    independently of the macro suppressed_outcomes. For each count column and each family of parts
    (the columns `keys` shared with the whole, plus `family`):
      the primary cells are the parts whose exact value is 1 to LER_MIN_CELL - 1 (rule 1), the
      candidates the parts whose exact value is LER_MIN_CELL or more;
      when the whole publishes the column and exactly one part is primary, exactly one candidate is
      hidden too, the one with the smallest exact value (ties: the lowest grain, column by column);
      otherwise no candidate is hidden.
    This is the fixed point of rule 3 for these families: a part belongs to one whole, and a whole is
    never hidden by rule 3, so hiding a complement leaves its family with two hidden parts and no
    other family changes (the macro's second pass finds nothing to do). Arguments: mart (the parts'
    exact table), whole (the published whole, a ref), keys, family, grain, counts. Returns each
    family and column where a candidate is hidden that should not be, or not hidden that should. -#}
{% test complementary_suppression_holds(model, mart, whole, keys, grain, counts, family=[]) %}
{%- set min_cell = var('ler:min_cell') -%}
{%- set groups = keys + family -%}
with parts as (
    {%- for c in counts %}
    select
        {%- for g in grain %} m.{{ g }},{% endfor %}
        {%- for g in groups if g not in grain %} m.{{ g }},{% endfor %}
        '{{ c }}' as column_name,
        m.{{ c }} as exact,
        p.{{ c }} is null as is_hidden
    from {{ model }} as p
    join {{ mart }} as m using ({{ grain | join(', ') }})
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

wholes as (
    {%- for c in counts %}
    select {{ keys | join(', ') }}, '{{ c }}' as column_name, {{ c }} is not null as is_published
    from {{ whole }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

ranked as (
    select
        p.*,
        coalesce(w.is_published, false) as is_whole_published,
        count(*) filter (where p.exact between 1 and {{ min_cell - 1 }})
            over (partition by {{ groups | join(', ') }}, p.column_name) as n_primary,
        case when p.exact >= {{ min_cell }} then row_number() over (
            partition by {{ groups | join(', ') }}, p.column_name, p.exact >= {{ min_cell }}
            order by p.exact, {{ grain | join(', ') }}
        ) end as candidate_rank
    from parts as p
    left join wholes as w using ({{ keys | join(', ') }}, column_name)
),

judged as (
    select
        *,
        case
            when candidate_rank is null then null
            when is_hidden and not (is_whole_published and n_primary = 1 and candidate_rank = 1)
                then 'hidden, but no rule 3 complement'
            when not is_hidden and is_whole_published and n_primary = 1 and candidate_rank = 1
                then 'the rule 3 complement, but published'
        end as broken_rule
    from ranked
)

select * from judged where broken_rule is not null
{% endtest %}
