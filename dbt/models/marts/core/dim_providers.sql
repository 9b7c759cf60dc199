with providers as (
    select * from {{ ref('int_reference__providers') }}
)

select
    provider_id,
    provider_name,
    provider_type,
    ipeds_unitid,
    opeid,
    fice,
    badge_issuer_id,
    region
from providers
