-- docs/reporting_rules.md §7.5: within one group_dimension the groups partition the completers of
-- their statewide row, so every count of marts.statewide_outcomes_by_group adds up, dimension by
-- dimension, to the count of marts.statewide_outcomes; every statewide row has all three
-- dimensions; every group_value belongs to its dimension's list. Returns each statewide row,
-- dimension and column that breaks it.
{%- set counts = ['n_completers', 'n_unmatchable', 'n_observed_q2', 'n_employed_q2', 'n_observed_q4',
                  'n_employed_q4', 'y1_n_attached', 'y3_n_attached', 'y5_n_attached'] %}
{%- set values = {
    'SEX': ['F', 'M', 'X', 'U'],
    'RACE_ETHNICITY': ['HISP', 'AIAN', 'ASIAN', 'BLACK', 'NHPI', 'WHITE', 'MULTI', 'NRA', 'UNK'],
    'AGE_AT_COMPLETION': ['UNDER_25', '25_34', '35_44', '45_54', '55_PLUS', 'UNKNOWN'],
} %}
with statewide as (
    select * from {{ ref('statewide_outcomes') }}
),

by_group as (
    select * from {{ ref('statewide_outcomes_by_group') }}
),

dimensions as (
    select unnest({{ values.keys() | list }}) as group_dimension
),

summed as (
    select
        credit_type, credential_level, completion_year, group_dimension,
        {%- for c in counts %}
        sum({{ c }}) as {{ c }}{{ ',' if not loop.last }}
        {%- endfor %}
    from by_group
    group by all
),

compared as (
    select
        s.credit_type, s.credential_level, s.completion_year, d.group_dimension,
        case
            when g.group_dimension is null then 'dimension missing'
            {%- for c in counts %}
            when g.{{ c }} is distinct from s.{{ c }} then '{{ c }} does not add up'
            {%- endfor %}
        end as broken_rule
    from statewide as s
    cross join dimensions as d
    left join summed as g using (credit_type, credential_level, completion_year, group_dimension)
),

foreign_values as (
    select credit_type, credential_level, completion_year, group_dimension,
        'group_value ' || group_value || ' not of its dimension' as broken_rule
    from by_group
    where not (
        {%- for dimension, allowed in values.items() %}
        (group_dimension = '{{ dimension }}' and group_value in ({{ sql_string_list(allowed) }}))
        {{- ' or' if not loop.last }}
        {%- endfor %}
    )
),

orphans as (
    select credit_type, credential_level, completion_year, group_dimension, 'no statewide row' as broken_rule
    from summed
    anti join statewide using (credit_type, credential_level, completion_year)
)

select * from compared where broken_rule is not null
union all
select * from foreign_values
union all
select * from orphans
