{#- Amendments (docs/submission_manual.md §1): for one natural key the row from the later file wins, and within a
    file the later line. Keys absent from a later file keep their earlier row.

    `mostly_unique=true` (int_wages__records: of 4.5 M wage rows about a thousand keys have a second
    version) gives the same rows without ranking every row: a window partitioned by a long text key
    sorts all rows, most of which have no other version. Instead one group by on a 64-bit hash of the
    key finds the hashes seen more than once; a row whose hash is seen once is the only row of its
    key and is kept as is, and only the rows of shared hashes (the amended keys, plus any hash
    collision between different keys) go through the window, which decides on the key itself. So the
    hash never decides which row wins, it only skips the window for keys that have one row.
    `relation` is read again by each part (inline_cte): keeping it whole costs more than that. -#}
{% macro latest_by_key(relation, key_columns, mostly_unique=false) -%}
    {%- set latest_first -%}
        row_number() over (
        partition by {{ key_columns | join(', ') }}
        order by file_seq desc, line_number desc
    ) = 1
    {%- endset -%}
    {%- if not mostly_unique %}
    select *
    from {{ relation }}
    qualify {{ latest_first }}
    {%- else %}
    with hashed as {{ inline_cte() }} (
        select *, {{ key_hash(key_columns) }} as key_hash
        from {{ relation }}
    ),

    shared_hashes as (
        select key_hash from hashed group by key_hash having count(*) > 1
    ),

    single_version as (
        select * from hashed where key_hash not in (select key_hash from shared_hashes)
    ),

    latest_version as (
        select * from hashed where key_hash in (select key_hash from shared_hashes)
        qualify {{ latest_first }}
    )

    select {{ star_except(['key_hash']) }} from single_version
    union all
    select {{ star_except(['key_hash']) }} from latest_version
    {%- endif %}
{%- endmacro %}
