-- The provider directory in force: the latest row per provider_id.
with providers as (
    select * from {{ ref('stg_lake__providers') }}
),

latest as (
    {{ latest_by_key('providers', ['provider_id']) }}
)

select {{ star_except(['file_name', 'file_seq', 'line_number']) }} from latest
