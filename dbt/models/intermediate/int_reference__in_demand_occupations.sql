-- The Governor's in-demand list in force: the latest row per SOC code.
with occupations as (
    select * from {{ ref('stg_lake__in_demand_occupations') }}
),

latest as (
    {{ latest_by_key('occupations', ['soc_code']) }}
)

select {{ star_except(['file_name', 'file_seq', 'line_number']) }} from latest
