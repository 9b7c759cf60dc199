{#- SQL that DuckDB and Spark spell differently (issue 13, docs/spark.md), one macro per construct,
    each an adapter.dispatch with the DuckDB spelling as `default__` (so the DuckDB build is the SQL
    it always was) and a `spark__` one for dbt-spark. Every other construct the models use (qualify,
    group by all, filter clauses, `::` casts to int/double/date/decimal, md5, concat_ws, bool_or,
    any_value, lpad, values lists) is spelled the same by DuckDB 2.0 and Spark 4.3 (checked on both,
    2026-12-02) and is written as is.

    Null order: DuckDB puts nulls last in an ascending order, Spark first; an `order by` over a
    column that may be null says `nulls last` (DuckDB's default, so nothing changes there). -#}


{#- Put after `name as` of a CTE that several parts of a query read and that is cheaper to read
    again than to keep: DuckDB keeps (materializes) such a CTE whole by default, which for the tens
    of millions of wage rows of a state spilled 18 GB to disk (int_wages__records, 146 s; reading
    the lake's Parquet twice instead: 71 s, nothing spilled). Spark inlines CTEs and has no such
    keyword. -#}
{% macro inline_cte() -%}
    {{- return(adapter.dispatch('inline_cte', 'ler_warehouse')()) -}}
{%- endmacro %}

{% macro default__inline_cte() -%}
    not materialized
{%- endmacro %}

{% macro spark__inline_cte() -%}
{%- endmacro %}

{#- The opposite: put after `name as` of a small CTE that several parts read, to keep it whole
    rather than compute it again (the learners' wage rows of int_wages__records, a few percent of
    a state's). Spark has no such keyword. -#}
{% macro kept_cte() -%}
    {{- return(adapter.dispatch('kept_cte', 'ler_warehouse')()) -}}
{%- endmacro %}

{% macro default__kept_cte() -%}
    materialized
{%- endmacro %}

{% macro spark__kept_cte() -%}
{%- endmacro %}


{#- `prefix.* exclude (columns)`: every column but these. -#}
{% macro star_except(columns, prefix=none) -%}
    {{- return(adapter.dispatch('star_except', 'ler_warehouse')(columns, prefix)) -}}
{%- endmacro %}

{% macro default__star_except(columns, prefix) -%}
    {{ prefix ~ '.' if prefix }}* exclude ({{ columns | join(', ') }})
{%- endmacro %}

{% macro spark__star_except(columns, prefix) -%}
    {{ prefix ~ '.' if prefix }}* except ({{ columns | join(', ') }})
{%- endmacro %}


{#- The set operator between two selects that have the same columns, matched by name. Spark has no
    `union all by name` in SQL: there the selects must list their columns in the same order (the
    callers do). -#}
{% macro union_all_by_name() -%}
    {{- return(adapter.dispatch('union_all_by_name', 'ler_warehouse')()) -}}
{%- endmacro %}

{% macro default__union_all_by_name() -%}
    union all by name
{%- endmacro %}

{% macro spark__union_all_by_name() -%}
    union all
{%- endmacro %}


{#- The continuous (interpolated) quantile `fraction` of `expr` over the rows of a group that pass
    `where`, nulls ignored, null when there is none (an aggregate). DuckDB's quantile_cont.

    Spark gives the same double, bit for bit. DuckDB 2.0 takes rn = (n - 1) * fraction over the
    sorted values, lo and hi the values at floor(rn) and ceil(rn), d = rn - floor(rn), and returns
    lo * (1 - d) + hi * d computed with one fused multiply-add (checked against 40,000 random
    groups, 2026-12-02); Spark's percentile weights the two ranks in another order and differs in
    the last bit. With `fraction` a multiple of 1/4 (the project's 0.25, 0.5, 0.75), d is 0, 1/4,
    1/2 or 3/4: for 1/2 and 3/4 plain double arithmetic rounds as the fused operation does (the
    products by 1/2 and 1/4 are exact); for 1/4, lo * 3/4 is carried as a rounded value and its
    exact error, added to hi / 4 with an error-free sum (TwoSum). Spark SQL has no let, so the
    intermediate values are bound as fields of one-element arrays of structs (transform). -#}
{% macro quantile_cont(expr, fraction, where) -%}
    {{- return(adapter.dispatch('quantile_cont', 'ler_warehouse')(expr, fraction, where)) -}}
{%- endmacro %}

{% macro default__quantile_cont(expr, fraction, where) -%}
    quantile_cont({{ expr }}, {{ fraction }}) filter (where {{ where }})
{%- endmacro %}

{% macro spark__quantile_cont(expr, fraction, where) -%}
    {%- if (fraction * 4) != ((fraction * 4) | int) -%}
        {{ exceptions.raise_compiler_error('quantile_cont on Spark: the fraction must be a multiple of 0.25 (got ' ~ fraction ~ ')') }}
    {%- endif -%}
    element_at(transform(
        array(named_struct('v', array_sort(collect_list(cast({{ expr }} as double)) filter (where {{ where }})))),
        g -> case when size(g.v) = 0 then null else element_at(transform(
            array(named_struct(
                'rn', cast(size(g.v) - 1 as double) * cast({{ fraction }} as double),
                'v', g.v)),
            r -> element_at(transform(
                array(named_struct(
                    'lo', element_at(r.v, cast(floor(r.rn) as int) + 1),
                    'hi', element_at(r.v, cast(ceil(r.rn) as int) + 1),
                    'd', r.rn - floor(r.rn))),
                x -> case
                    when x.d = 0 then x.lo
                    when x.d = 0.25D then element_at(transform(
                        array(named_struct(
                            's', (x.lo - x.lo * 0.25D) + x.hi * 0.25D,
                            'a', x.lo - x.lo * 0.25D,
                            'h', x.hi * 0.25D,
                            'e', (x.lo - (x.lo - x.lo * 0.25D)) - x.lo * 0.25D)),
                        w -> w.s + (((w.a - (w.s - (w.s - w.a))) + (w.h - (w.s - w.a))) + w.e)), 1)
                    else x.lo * (1 - x.d) + x.hi * x.d
                end), 1)), 1)
        end), 1)
{%- endmacro %}


{#- Integer division of non-negative integers (quarter indexes): DuckDB `//`, Spark `div`. -#}
{% macro int_div(numerator, denominator) -%}
    {{- return(adapter.dispatch('int_div', 'ler_warehouse')(numerator, denominator)) -}}
{%- endmacro %}

{% macro default__int_div(numerator, denominator) -%}
    ({{ numerator }}) // ({{ denominator }})
{%- endmacro %}

{% macro spark__int_div(numerator, denominator) -%}
    ({{ numerator }}) div ({{ denominator }})
{%- endmacro %}


{#- `expr` as text: dbt's cross-database string type (VARCHAR on DuckDB, STRING on Spark). -#}
{% macro to_text(expr) -%}
    cast({{ expr }} as {{ dbt.type_string() }})
{%- endmacro %}


{#- The SQL type of an instant (a time zone-aware timestamp): DuckDB `timestamptz`; Spark's
    `timestamp` is already the session-time-zone-aware TIMESTAMP_LTZ. -#}
{% macro type_instant() -%}
    {{- return(adapter.dispatch('type_instant', 'ler_warehouse')()) -}}
{%- endmacro %}

{% macro default__type_instant() -%}
    timestamptz
{%- endmacro %}

{% macro spark__type_instant() -%}
    timestamp
{%- endmacro %}


{#- A JSON document from a SQL string literal: DuckDB's JSON type; Spark keeps the text (a JSON
    column is text in every other engine's table too). -#}
{% macro json_literal(quoted_text) -%}
    {{- return(adapter.dispatch('json_literal', 'ler_warehouse')(quoted_text)) -}}
{%- endmacro %}

{% macro default__json_literal(quoted_text) -%}
    {{ quoted_text }}::json
{%- endmacro %}

{% macro spark__json_literal(quoted_text) -%}
    {{ quoted_text }}
{%- endmacro %}


{#- `expr` of every row of a group joined by `delimiter` in the order of `order_by` (an aggregate).
    dbt's cross-database listagg ignores the order on Spark, so this one does not use it. -#}
{% macro ordered_string_agg(expr, delimiter, order_by) -%}
    {{- return(adapter.dispatch('ordered_string_agg', 'ler_warehouse')(expr, delimiter, order_by)) -}}
{%- endmacro %}

{% macro default__ordered_string_agg(expr, delimiter, order_by) -%}
    string_agg({{ expr }}, {{ delimiter }} order by {{ order_by }})
{%- endmacro %}

{% macro spark__ordered_string_agg(expr, delimiter, order_by) -%}
    listagg({{ expr }}, {{ delimiter }}) within group (order by {{ order_by }})
{%- endmacro %}


{#- The distinct non-null values of `expr` over a group, sorted, as a list (an aggregate; null when
    the group has none, as DuckDB's list() of no row). `where` filters the rows. -#}
{% macro sorted_distinct_list(expr, where) -%}
    {{- return(adapter.dispatch('sorted_distinct_list', 'ler_warehouse')(expr, where)) -}}
{%- endmacro %}

{% macro default__sorted_distinct_list(expr, where) -%}
    list(distinct {{ expr }} order by {{ expr }}) filter (where {{ where }})
{%- endmacro %}

{% macro spark__sorted_distinct_list(expr, where) -%}
    nullif(array_sort(collect_set({{ expr }}) filter (where {{ where }})), array())
{%- endmacro %}


{#- The `delimiter`-separated parts of the text `expr`, each trimmed, the empty ones left out, as a
    list (null text: an empty list). The delimiter is one plain character (Spark's split takes a
    regular expression). -#}
{% macro split_trimmed(expr, delimiter) -%}
    {{- return(adapter.dispatch('split_trimmed', 'ler_warehouse')(expr, delimiter)) -}}
{%- endmacro %}

{% macro default__split_trimmed(expr, delimiter) -%}
    list_filter(list_transform(string_split(coalesce({{ expr }}, ''), '{{ delimiter }}'), lambda s: trim(s)),
                lambda s: s <> '')
{%- endmacro %}

{% macro spark__split_trimmed(expr, delimiter) -%}
    filter(transform(split(coalesce({{ expr }}, ''), '\\{{ delimiter }}'), s -> trim(s)), s -> s <> '')
{%- endmacro %}


{#- A table function of one column `column` over the elements of the list `list_expr`, to follow
    `cross join` with the alias `alias` (one row per element; an empty list gives no row). -#}
{% macro unnest_as(list_expr, alias, column) -%}
    {{- return(adapter.dispatch('unnest_as', 'ler_warehouse')(list_expr, alias, column)) -}}
{%- endmacro %}

{% macro default__unnest_as(list_expr, alias, column) -%}
    unnest({{ list_expr }}) as {{ alias }}({{ column }})
{%- endmacro %}

{% macro spark__unnest_as(list_expr, alias, column) -%}
    lateral explode({{ list_expr }}) as {{ alias }}({{ column }})
{%- endmacro %}


{#- The parts of `expr` split at `delimiter`, untrimmed, empty ones kept (DuckDB string_split). -#}
{% macro split_text(expr, delimiter) -%}
    {{- return(adapter.dispatch('split_text', 'ler_warehouse')(expr, delimiter)) -}}
{%- endmacro %}

{% macro default__split_text(expr, delimiter) -%}
    string_split({{ expr }}, '{{ delimiter }}')
{%- endmacro %}

{% macro spark__split_text(expr, delimiter) -%}
    split({{ expr }}, '\\{{ delimiter }}', -1)
{%- endmacro %}


{#- Every column, with each [expr, column] of `replacements` computed by expr instead, and without the
    columns `excluded`: DuckDB `* exclude (...) replace (expr as column, ...)` (the column keeps its
    place); Spark `* except (...), expr as column, ...` (the replaced columns move to the end: a
    published table's column order is its contract's, dagster_project/spark_bridge.py). -#}
{% macro star_replace(replacements, excluded=[]) -%}
    {{- return(adapter.dispatch('star_replace', 'ler_warehouse')(replacements, excluded)) -}}
{%- endmacro %}

{% macro default__star_replace(replacements, excluded) -%}
    *
    {%- if excluded %} exclude ({{ excluded | join(', ') }}){% endif %}
    {%- if replacements %} replace (
        {%- for expr, column in replacements %}
        {{ expr }} as {{ column }}{{ ',' if not loop.last }}
        {%- endfor %}
    )
    {%- endif %}
{%- endmacro %}

{% macro spark__star_replace(replacements, excluded) -%}
    {%- set dropped = excluded | list -%}
    {%- for expr, column in replacements %}{% do dropped.append(column) %}{% endfor -%}
    *
    {%- if dropped %} except ({{ dropped | join(', ') }}){% endif %}
    {%- for expr, column in replacements %},
        {{ expr }} as {{ column }}
    {%- endfor %}
{%- endmacro %}


{#- A double rounded to `decimals` places, half away from zero, as DuckDB 2.0 rounds it: on the
    exact binary value (its product by 10^decimals is not rounded first). Spark's round goes through
    the shortest decimal text of the double, so 484 / 640 (0.75625, stored as 0.7562499999...)
    became 0.7563 there and 0.7562 in DuckDB (found by the mid-size bench's suppression test); plain
    std::round(x * 10^d) / 10^d gets 63 / 160 wrong the other way. The spark__ version takes
    y = x * 10^d with its exact error e (Dekker's product: 10^d, d <= 7, needs no split), rounds
    |y| up when its fraction is above 1/2, or exactly 1/2 with e >= 0, and divides back: the same
    result as DuckDB on 480,016 values at 0 and 4 places, every n / m with m < 700 among them
    (2026-12-02). Spark SQL has no let: intermediate values are bound through transform. -#}
{% macro round_half_away(expr, decimals) -%}
    {{- return(adapter.dispatch('round_half_away', 'ler_warehouse')(expr, decimals)) -}}
{%- endmacro %}

{% macro default__round_half_away(expr, decimals) -%}
    round({{ expr }}, {{ decimals }})
{%- endmacro %}

{% macro spark__round_half_away(expr, decimals) -%}
    {%- if decimals < 0 or decimals > 7 -%}
        {{ exceptions.raise_compiler_error('round_half_away on Spark: 0 to 7 decimals (got ' ~ decimals ~ ')') }}
    {%- endif -%}
    {%- set scale = (10 ** decimals) ~ 'D' -%}
    element_at(transform(
        array(named_struct('x', cast({{ expr }} as double))),
        v -> element_at(transform(
            array(named_struct(
                'y', v.x * {{ scale }},
                'xh', (134217729D * v.x) - ((134217729D * v.x) - v.x))),
            w -> element_at(transform(
                array(named_struct(
                    'sign', case when w.y >= 0 then 1D else -1D end,
                    'a', abs(w.y),
                    'e', ((w.xh * {{ scale }} - w.y) + (v.x - w.xh) * {{ scale }})
                         * case when w.y >= 0 then 1D else -1D end)),
                u -> u.sign * (cast(cast(u.a as bigint) as double)
                    + case when u.a - cast(cast(u.a as bigint) as double) > 0.5D
                        or (u.a - cast(cast(u.a as bigint) as double) = 0.5D and u.e >= 0) then 1D else 0D end)
                    / {{ scale }}), 1)), 1)), 1)
{%- endmacro %}


{#- A 64-bit hash of the values of `columns` (a list of column names), for a cheap first pass over
    a key that is mostly unique: equal keys always get equal hashes, different keys almost always
    different ones, so a caller treats rows of a hash seen once as a unique key and checks the
    rest exactly (never decides on the hash alone: collisions exist). -#}
{% macro key_hash(columns) -%}
    {{- return(adapter.dispatch('key_hash', 'ler_warehouse')(columns)) -}}
{%- endmacro %}

{% macro default__key_hash(columns) -%}
    hash({{ columns | join(', ') }})
{%- endmacro %}

{% macro spark__key_hash(columns) -%}
    xxhash64({{ columns | join(', ') }})
{%- endmacro %}


{#- The row of a group that comes first in the order of `order_keys` (a list of expressions, each
    ascending, compared in turn), as an aggregate in one pass (no window): a struct of `fields` (a
    mapping name -> expression) of that row; read one as `<alias>.<name>`. A struct because DuckDB's
    arg_min skips a null value: a null field of the first row stays null, it is not taken from another
    row. Rows that tie on every key are equal for the caller (any of them). Write a descending key as
    its negation, and put `x is null` before a key `x` that may be null (nulls last): how each engine
    orders a null inside a struct is then never asked. -#}
{% macro first_by(fields, order_keys) -%}
    {{- return(adapter.dispatch('first_by', 'ler_warehouse')(fields, order_keys)) -}}
{%- endmacro %}

{% macro default__first_by(fields, order_keys) -%}
    {%- set parts = [] -%}
    {%- for name, expr in fields.items() -%}{%- do parts.append("'" ~ name ~ "': " ~ expr) -%}{%- endfor -%}
    arg_min({ {{- parts | join(', ') -}} }, row({{ order_keys | join(', ') }}))
{%- endmacro %}

{% macro spark__first_by(fields, order_keys) -%}
    {%- set parts = [] -%}
    {%- for name, expr in fields.items() -%}{%- do parts.append("'" ~ name ~ "', " ~ expr) -%}{%- endfor -%}
    min_by(named_struct({{ parts | join(', ') }}), struct({{ order_keys | join(', ') }}))
{%- endmacro %}
