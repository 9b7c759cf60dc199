-- Grain of int_learners__roster: one row per (provider_id, local_learner_id). Returns each duplicated key with its row count.
select provider_id, local_learner_id, count(*) as n_rows
from {{ ref('int_learners__roster') }}
group by provider_id, local_learner_id
having count(*) > 1
