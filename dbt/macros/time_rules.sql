{#- Time rules of docs/reporting_rules.md §6, in one place.

    A quarter is held as one integer, `year * 4 + (quarter - 1)`, so "quarter(d) + k" is plain
    addition and "observed" is a comparison with wage_data_through. -#}

{% macro quarter_index(date_expr) -%}
    (year({{ date_expr }}) * 4 + {{ int_div('month(' ~ date_expr ~ ') - 1', 3) }})
{%- endmacro %}

{% macro quarter_index_of(year_expr, quarter_expr) -%}
    (({{ year_expr }}) * 4 + (({{ quarter_expr }}) - 1))
{%- endmacro %}

{#- Q4 of calendar year y: the quarter that makes annual earnings of y observed. -#}
{% macro q4_index_of_year(year_expr) -%}
    (({{ year_expr }}) * 4 + 3)
{%- endmacro %}

{% macro quarter_label(index_expr) -%}
    {{ to_text(int_div(index_expr, 4)) }} || 'Q' || {{ to_text('((' ~ index_expr ~ ') % 4) + 1') }}
{%- endmacro %}

{#- Award year YYYY-YY: July 1 YYYY through June 30 YYYY+1 (2022-03-15 -> 2021-22). -#}
{% macro award_year(date_expr) -%}
    (case when month({{ date_expr }}) >= 7
        then {{ to_text('year(' ~ date_expr ~ ')') }} || '-' || lpad({{ to_text('(year(' ~ date_expr ~ ') + 1) % 100') }}, 2, '0')
        else {{ to_text('year(' ~ date_expr ~ ') - 1') }} || '-' || lpad({{ to_text('year(' ~ date_expr ~ ') % 100') }}, 2, '0')
    end)
{%- endmacro %}
