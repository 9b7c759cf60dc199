{#- A list of codes from a var as a SQL list of string literals: ['A', 'B'] -> 'A', 'B'. -#}
{% macro sql_string_list(values) -%}
    {%- for value in values -%}
        '{{ value | replace("'", "''") }}'{{ ", " if not loop.last }}
    {%- endfor -%}
{%- endmacro %}
