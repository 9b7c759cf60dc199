{#- Use the layer's schema name as-is (staging, intermediate, marts, reporting, audit, reference):
    agency staff query `marts.program_outcomes`, not `main_marts.program_outcomes`. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {{ custom_schema_name | trim if custom_schema_name is not none else target.schema }}
{%- endmacro %}
