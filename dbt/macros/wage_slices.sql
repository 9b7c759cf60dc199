{#- Incremental wage models, rebuilt one quarter (a "slice") at a time (docs/reporting_rules.md §6;
    amendments docs/submission_manual.md §1).

    Every key of int_wages__records lies in one quarter, so a quarter's rows depend only on the lake
    rows of that quarter, the order of the files they came from and the learners whose rows are kept
    (macro wage_learners; their digest joins the quarter's, macro record_slice_inputs).
    int_wages__quarter_inputs gives each quarter a digest of exactly that: the files contributing
    rows to it, in timeline order, with their content hash and row count, plus
    LER_WAGE_INPUTS_FINGERPRINT (everything else that shapes a lake row or the wage SQL: the code
    version, the settings, the person-key secret's fingerprint; dagster_project/run_inputs.py). A
    slice whose digest differs from the one its rows carry is rebuilt whole from the lake's rows of
    that quarter: a new quarter, an amended one, a late file with an older stamp, a resubmitted or
    removed file all change the digest of each quarter they touch, and absolute file_seq values
    (which shift when a file is added or removed) do not enter it. A quarter no file has any more,
    or no kept row, is deleted (macro delete_stale_slices). Rows carry their slice's digest and
    built_at, in the same transaction as the rows themselves, so a build that fails leaves digests
    that still describe the rows, and the next build redoes what is missing.

    Strategy: delete+insert on quarter_index (dbt-duckdb replaces exactly the slices the new rows
    cover); on Spark a full rebuild every run (macro wage_slice_config, docs/spark.md). `ler run
    --full-refresh` runs `dbt build --full-refresh`: these tables are then created anew from every
    lake row (marts.run_metadata, the history of runs, has full_refresh=false and is kept). -#}

{#- The config of the two incremental wage models: delete+insert on quarter_index, and the post-hook
    that drops the quarters whose rows are not those of `current_slices` (a Jinja expression that
    renders the model's current (quarter_index, inputs_digest) pairs, macro delete_stale_slices).
    On Spark (docs/spark.md) a plain table, rebuilt whole every run: dbt-spark's insert_overwrite
    on Parquet would replace the new quarters but cannot delete a removed one, and merge needs
    Delta or Iceberg, which the local session does not have. -#}
{% macro wage_slice_config(current_slices) -%}
    {{- return(adapter.dispatch('wage_slice_config', 'ler_warehouse')(current_slices)) -}}
{%- endmacro %}

{% macro default__wage_slice_config(current_slices) -%}
    {{- return({
        'materialized': 'incremental',
        'incremental_strategy': 'delete+insert',
        'unique_key': 'quarter_index',
        'on_schema_change': 'append_new_columns',
        'post_hook': '{{ delete_stale_slices(' ~ current_slices ~ ') }}',
    }) -}}
{%- endmacro %}

{% macro spark__wage_slice_config(current_slices) -%}
    {#- no contract there: dbt-spark enforces no constraint on Parquet, and the declared types are
        DuckDB's (docs/spark.md) -#}
    {{- return({'materialized': 'table', 'contract': {'enforced': false}}) -}}
{%- endmacro %}

{#- The fingerprint of everything but the landed files (read when the model runs, never while dbt
    parses, so a new value re-parses nothing). Empty outside `ler run` / Dagster. -#}
{% macro wage_inputs_fingerprint() -%}
    {{- return(env_var('LER_WAGE_INPUTS_FINGERPRINT', '') if execute else '') -}}
{%- endmacro %}

{#- The slices to (re)build: rows (quarter_index, inputs_digest) of `upstream` whose digest is not the
    one every row of that quarter in this model carries. Every slice on a first build or a full
    refresh. -#}
{% macro pending_slices(upstream) -%}
    {%- if is_incremental() %}
    select u.quarter_index, u.inputs_digest
    from {{ upstream }} as u
    left join (
        select quarter_index, min(inputs_digest) as lowest, max(inputs_digest) as highest
        from {{ this }}
        group by quarter_index
    ) as built using (quarter_index)
    where not coalesce(built.lowest = u.inputs_digest and built.highest = u.inputs_digest, false)
    {%- else %}
    select quarter_index, inputs_digest from {{ upstream }}
    {%- endif %}
{%- endmacro %}

{#- Post-hook of the incremental wage models: drop the rows of every quarter whose digest is not the
    current one in `current` ((quarter_index, inputs_digest) pairs): a quarter no landed file has any
    more (a removed file), and a rebuilt quarter that has no row left (its only learner with wages
    there left the education records), both of which delete+insert alone would keep, since it
    replaces only the quarters the new rows cover. `not exists`, not `not in`: a null would turn
    the delete into a no-op. -#}
{% macro delete_stale_slices(current) -%}
    delete from {{ this }} as built
    where not exists (
        select 1 from {{ current }} as c
        where c.quarter_index = built.quarter_index and c.inputs_digest = built.inputs_digest
    )
{%- endmacro %}

{#- The slices of int_wages__records, (quarter_index, wage_year, wage_quarter, inputs_digest): the
    digest of a quarter's lake inputs (int_wages__quarter_inputs) with that of the learners, so a
    new or removed learner rebuilds every quarter. The model and its post-hook read the same;
    `learners`, a relation of the learners' keys the caller already has (else macro wage_learners). -#}
{% macro record_slice_inputs(learners=none) -%}
    (
        select
            q.quarter_index,
            q.wage_year,
            q.wage_quarter,
            md5(q.inputs_digest || '|' || d.digest) as inputs_digest
        from {{ ref('int_wages__quarter_inputs') }} as q
        cross join ({{ learners_digest(learners or '(' ~ wage_learners() ~ ')') }}) as d
    )
{%- endmacro %}

{#- The slices of int_wages__person_quarters: those of int_wages__records, whose digest it carries. -#}
{% macro person_quarter_slice_inputs() -%}
    (select distinct quarter_index, inputs_digest from {{ ref('int_wages__records') }})
{%- endmacro %}

{#- When a slice was (re)built: the start of the dbt invocation, one value for every row it writes. -#}
{% macro slice_built_at() -%}
    cast('{{ run_started_at }}' as {{ type_instant() }})
{%- endmacro %}

{#- The data tests of the wage tables check the slice the latest build wrote, not 50 M rows every
    night: rows of unchanged quarters were checked when they were built and have not changed since.
    A test of an incremental wage model says so with `where: "quarter_index in __latest_slice__"`;
    this override of dbt's get_where_subquery (the documented hook for custom `where` logic) puts
    the quarters the tested model wrote in its latest build in place of __latest_slice__. A first
    build and a full refresh write every quarter, so the tests then see every row. The landed rows'
    tests run on the view int_wages__lake_slice instead (a `where` cannot ref another model). -#}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where', '') -%}
    {%- if where -%}
        {%- set where = where | replace('__latest_slice__', latest_slice(relation)) -%}
        {%- set filtered -%}
            (select * from {{ relation }} where {{ where }}) dbt_subquery
        {%- endset -%}
        {%- do return(filtered) -%}
    {%- else -%}
        {%- do return(relation) -%}
    {%- endif -%}
{%- endmacro %}

{#- The quarters `relation` (an incremental wage model) wrote in its latest build (`column`:
    built_at; for int_wages__quarter_inputs changed_at, the quarters whose lake rows changed), as a list of
    numbers looked up when the test or view runs: `quarter_index in (8088, 8089)`. A literal list
    lets DuckDB skip the other quarters' row groups and apply it before any other condition; the
    subquery it replaces was joined after the test's own conditions, so a nightly check of two
    quarters still matched a regular expression against all 50 M person keys of a state (14.5 s of
    a 53 s build). While dbt parses, the subquery stands in (nothing runs then). -#}
{% macro latest_slice(relation, column='built_at') -%}
    {%- set subquery -%}
        (select quarter_index from {{ relation }} where {{ column }} = (select max({{ column }}) from {{ relation }}))
    {%- endset -%}
    {%- if not execute -%}
        {{- return(subquery) -}}
    {%- endif -%}
    {%- set found = run_query('select distinct quarter_index from ' ~ subquery ~ ' as latest order by 1') -%}
    {%- set quarters = [] -%}
    {%- for value in found.columns[0].values() -%}{%- do quarters.append(value | int | string) -%}{%- endfor -%}
    {{- return('(' ~ (quarters | join(', ') if quarters else 'NULL') ~ ')') -}}
{%- endmacro %}

{#- The people whose wages the warehouse keeps (docs/reporting_rules.md §6): the SSN-keyed learners,
    persons with an SSN-keyed enrollment spell. Every wage measure follows such a learner; the
    lake keeps every worker's rows, so a learner added later has a whole wage history. -#}
{% macro wage_learners() -%}
    select distinct person_key from {{ ref('int_education__spells') }} where is_ssn_key
{%- endmacro %}

{#- The md5 of the sorted keys of `learners` (64 bytes a learner: a few MB for a state), part of
    every slice's digest: a new learner changes which rows each quarter keeps. -#}
{% macro learners_digest(learners) -%}
    select coalesce(md5({{ ordered_string_agg('person_key', "','", 'person_key') }}), '') as digest
    from {{ learners }} as learners
{%- endmacro %}

{#- When each quarter's lake inputs last changed (int_wages__quarter_inputs.changed_at): the value
    the previous build gave the quarter when its digest is the same, else the start of this build.
    The landed rows' tests read the quarters of the latest value (int_wages__lake_slice): the rows
    a build rebuilt from because they changed, not the quarters rebuilt because the learners did.
    None on a first build, a full refresh, or a table from before changed_at (then every quarter is
    new), and on Spark, which drops a Parquet table before building it anew (every quarter is
    rebuilt there on every run anyway, macro wage_slice_config). -#}
{% macro previous_quarter_inputs() -%}
    {{- return(adapter.dispatch('previous_quarter_inputs', 'ler_warehouse')()) -}}
{%- endmacro %}

{% macro spark__previous_quarter_inputs() -%}
    {{- return(none) -}}
{%- endmacro %}

{% macro default__previous_quarter_inputs() -%}
    {%- if not execute or flags.FULL_REFRESH -%}
        {{- return(none) -}}
    {%- endif -%}
    {%- set previous = load_relation(this) -%}
    {%- if previous is none -%}
        {{- return(none) -}}
    {%- endif -%}
    {%- set names = adapter.get_columns_in_relation(previous) | map(attribute='name') | map('lower') | list -%}
    {{- return(previous if 'changed_at' in names else none) -}}
{%- endmacro %}
