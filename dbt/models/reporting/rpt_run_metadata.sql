{{ config(alias='run_metadata') }}
-- Published copy of marts.run_metadata: when each run happened, how far the wage data reached and
-- how many files loaded. It holds no count of people, so nothing is suppressed.
select * from {{ ref('run_metadata') }}
