-- Tying records to catalog programs must neither drop nor multiply records: int_education__tied has
-- exactly the rows of int_education__records. Returns the two counts when they differ.
with records as (
    select count(*) as n_records from {{ ref('int_education__records') }}
),

tied as (
    select count(*) as n_tied from {{ ref('int_education__tied') }}
)

select records.n_records, tied.n_tied
from records
cross join tied
where records.n_records <> tied.n_tied
