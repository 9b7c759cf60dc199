{#- The groups of the equity breakdown (docs/reporting_rules.md §7.5, WIOA §116(d)(2)(B) style).

    `completers`: one row per learner of a statewide row (macro first_award_per_learner), carrying
    the sex, race_ethnicity and birth_year of the record of that award. Returns each completer three
    times, once per group_dimension, with its group_value, so within a dimension every completer is
    in exactly one group (the partition property of §7.5). A select, to wrap in a CTE. -#}
{% macro equity_group_rows(completers) -%}
    select *, 'SEX' as group_dimension, coalesce(nullif(trim(sex), ''), 'U') as group_value
    from {{ completers }}
    union all
    select *, 'RACE_ETHNICITY' as group_dimension, coalesce(nullif(trim(race_ethnicity), ''), 'UNK') as group_value
    from {{ completers }}
    union all
    select *, 'AGE_AT_COMPLETION' as group_dimension, {{ age_at_completion_band('award_date', 'birth_year') }} as group_value
    from {{ completers }}
{%- endmacro %}


{#- The age band of §7.5: age = year(completion date) - birth year, in UNDER_25, 25_34, 35_44, 45_54,
    55_PLUS; UNKNOWN without a birth year. The bands are the contract's categories (a rule constant,
    not a setting), named here once. An age below 25, including a birth year after the completion
    year (a data error the ingestion contracts do not reject), is UNDER_25. -#}
{% macro age_at_completion_band(completion_date, birth_year) -%}
    {%- set lower_bounds = [[55, '55_PLUS'], [45, '45_54'], [35, '35_44'], [25, '25_34']] -%}
    case
        when {{ birth_year }} is null then 'UNKNOWN'
        {%- for bound, band in lower_bounds %}
        when year({{ completion_date }}) - {{ birth_year }} >= {{ bound }} then '{{ band }}'
        {%- endfor %}
        else 'UNDER_25'
    end
{%- endmacro %}
