{#- Amendments (docs/submission_manual.md §1): for one natural key the row from the later file wins, and within a
    file the later line. Keys absent from a later file keep their earlier row. -#}
{% macro latest_by_key(relation, key_columns) -%}
    select *
    from {{ relation }}
    qualify row_number() over (
        partition by {{ key_columns | join(', ') }}
        order by file_seq desc, line_number desc
    ) = 1
{%- endmacro %}
