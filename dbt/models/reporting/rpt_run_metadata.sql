{{ config(alias='run_metadata') }}
-- Published copy of marts.run_metadata: when each run happened, how far the wage data reached and
-- how many files loaded. It holds no count of people, so nothing is suppressed. The settings JSON
-- (which names the restricted server paths) stays in the warehouse; the thresholds are columns.
select {{ star_except(['settings']) }} from {{ ref('run_metadata') }}
