-- Config test: every CTDL credential class met in reference/*.json is known to xwalk_ctdl_class,
-- except ceterms:Certificate, which names five credit certificate levels and so decides no level
-- on its own. Returns each unmapped class with the number of descriptions using it.
select ctdl_class, count(*) as n_definitions
from {{ ref('dim_credential_definitions') }}
where not is_class_mapped and ctdl_class <> 'ceterms:Certificate'
group by all
