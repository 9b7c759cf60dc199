"""Judge raw records against their layout contract, in one DuckDB pass per batch of files.

Input: a DuckDB table of raw text records (see `records.py`) plus `_file_idx`, the file each record
came from; many small files (one PESC transcript per student, one badge per learner) are judged
together so the per-query cost is paid once per batch, not once per file. The steps:

1. `_dup_rows`: the exact repeats of an earlier line, found by hashing each record and comparing
   exactly only the records whose hash repeats (`_mark_duplicates`);
2. `_judged`: each record cleaned, keyed (`identity.py`) and checked once, narrow (typed lake
   columns, duplicate flag, problems; no raw text), in no promised order: no consumer depends on
   the row order of a lake file, and sorting a state's quarterly file by line was about a tenth of
   judging it (0.2 s of 1.8 s; the rows still come mostly in line order, as they were read);
3. `_loaded`, a view: the typed, PII-free lake rows of `_judged` that load, with the per-file
   columns (file name and sequence, format) and the line number added from the files table, for
   the lake's Parquet to be written straight from it;
4. `_rejected`: line, field, reason and redacted record of the rejected rows, the record's text read
   back from the raw table for those rows alone.

The rules come from the layout's contract (`contracts.py`); this module only translates them to SQL.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from dagster_project.identity import KEY_MEMO
from dagster_project.landing.contracts import NUMERIC_TYPES, Contract, Expectation
from dagster_project.landing.records import LINE, PROBLEM_FIELD, PROBLEM_REASON
from dagster_project.sqlutil import ident, lit, lit_list

FILE_IDX = "_file_idx"
REDACTED = "<redacted>"
# An over-long field is shown in audit.rejected_rows by its first characters and its length.
SHOWN_CHARS = 100
_NUMBER_SHAPE = r"^[-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$"
_INTEGER_SHAPE = r"^[-+]?[0-9]+$"
SUPPORTED_EXPECTATIONS = {
    "expect_column_values_to_not_be_null",
    "expect_column_values_to_be_in_set",
    "expect_column_values_to_match_regex",
    "expect_column_values_to_be_between",
}


def install_sql_helpers(con: duckdb.DuckDBPyConnection) -> None:
    """Macros shared by validation: dates in ISO or US form, Excel's ="..." guard, trimming."""
    con.execute(
        "create or replace temp macro ler_date(v) as case "
        "when regexp_full_match(v, '[0-9]{4}-[0-9]{2}-[0-9]{2}') then try_strptime(v, '%Y-%m-%d')::date "
        "when regexp_full_match(v, '[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}') then try_strptime(v, '%m/%d/%Y')::date "
        "end"
    )
    con.execute(
        "create or replace temp macro ler_clean(v) as nullif(trim(case "
        "when starts_with(v, '=\"') and ends_with(v, '\"') and length(v) >= 3 "
        "then substr(v, 3, length(v) - 3) "
        "else v end), '')"
    )


@dataclass(frozen=True)
class Counts:
    rows_read: int
    rows_loaded: int
    rows_rejected: int
    rows_duplicate: int


def _c(name: str) -> str:
    return ident("c_" + name)


def _clean_expr(contract: Contract, name: str) -> str:
    col = contract.column(name)
    expr = f"ler_clean({ident(name)})"
    if col.type in ("code", "flag"):
        expr = f"upper({expr})"
    if col.type == "date":
        expr = f"ler_date({expr})"
    return expr


def _typed_expr(contract: Contract, name: str) -> str:
    """The lake value of a cleaned column (dates are already DATE in `c_<name>`)."""
    col = contract.column(name)
    v = _c(name)
    if col.type == "flag":
        return f"({v} = 'Y')"
    if col.type in NUMERIC_TYPES:
        return f"try_cast({v} as {col.sql_type})"
    return v


def _expectation_check(contract: Contract, e: Expectation) -> str:
    """SQL yielding 'field: reason' when the row breaks the expectation, else null (GX semantics:
    nulls pass every expectation but not-null)."""
    name = e.column
    if name is None or name not in contract.column_names:
        raise ValueError(f"{contract.layout}: expectation {e.type} names unknown column {name!r}")
    col = contract.column(name)
    v = _c(name)
    msg = lit(f"{name}: {e.reason}")
    if e.type == "expect_column_values_to_not_be_null":
        # a date that is present but invalid is reported as "not a date", not as missing
        present = f"ler_clean({ident(name)})" if col.type == "date" else v
        return f"case when {present} is null then {msg} end"
    if col.type == "date":
        raise ValueError(f"{contract.layout}.{name}: only not-null expectations apply to dates")
    if e.type == "expect_column_values_to_be_in_set":
        return f"case when {v} is not null and {v} not in {lit_list(e.kwargs['value_set'])} then {msg} end"
    if e.type == "expect_column_values_to_match_regex":
        return (
            f"case when {v} is not null and not regexp_matches({v}, {lit(e.kwargs['regex'])}) then {msg} end"
        )
    if e.type == "expect_column_values_to_be_between":
        if col.type not in NUMERIC_TYPES:
            raise ValueError(f"{contract.layout}.{name}: between needs a numeric column")
        num = f"try_cast({v} as double)"
        conds = []
        if e.kwargs.get("min_value") is not None:
            conds.append(f"{num} < {lit(e.kwargs['min_value'])}")
        if e.kwargs.get("max_value") is not None:
            conds.append(f"{num} > {lit(e.kwargs['max_value'])}")
        return f"case when {num} is not null and ({' or '.join(conds)}) then {msg} end"
    raise ValueError(f"{contract.layout}: expectation type {e.type} is not supported by ingestion")


def _type_checks(contract: Contract, max_field_length: int) -> list[str]:
    checks = [
        f"case when {ident(PROBLEM_REASON)} is not null then "
        f"coalesce({ident(PROBLEM_FIELD)}, 'record') || ': ' || {ident(PROBLEM_REASON)} end"
    ]
    for col in contract.columns:
        raw, v = ident(col.name), _c(col.name)
        checks.append(
            f"case when length({raw}) > {max_field_length} then "
            f"{lit(f'{col.name}: longer than {max_field_length} characters')} end"
        )
        if col.type == "date":
            checks.append(
                f"case when ler_clean({raw}) is not null and {v} is null then "
                f"{lit(f'{col.name}: not a date (YYYY-MM-DD or MM/DD/YYYY)')} end"
            )
        elif col.type == "integer":
            checks.append(
                f"case when {v} is not null and not regexp_matches({v}, {lit(_INTEGER_SHAPE)}) then "
                f"{lit(f'{col.name}: not a whole number')} end"
            )
        elif col.type in ("number", "money"):
            checks.append(
                f"case when {v} is not null and not regexp_matches({v}, {lit(_NUMBER_SHAPE)}) then "
                f"{lit(f'{col.name}: not a number')} end"
            )
        elif col.type == "flag":
            checks.append(
                f"case when {v} is not null and {v} not in ('Y', 'N') then "
                f"{lit(f'{col.name}: not Y or N')} end"
            )
    return checks


@dataclass(frozen=True)
class IdentityLayers:
    """The identity items of the judging query, in layers so each macro expands once (DuckDB plans
    big nested macros slowly): `cleaned` over the cleaned columns, `checked` over those, `messages`
    (the HMAC messages `_key_msg` and `_lid_msg`) over those, and `keyed` over the messages joined
    to the keys already in the memo (`memo_joins`)."""

    cleaned: list[str]
    checked: list[str]
    messages: list[str]
    memo_joins: list[str]
    keyed: list[str]


# The messages a batch keyed for the first time, and their keys, kept in `_judged` only until
# `_remember_keys` has put them in the memo (column of the message, column of its key).
_NEW_KEYS = (("_new_key_msg", "_new_key"), ("_new_lid_msg", "_new_lid_key"))


def _identity_layers(contract: Contract) -> IdentityLayers:
    """The identity layers of the contract (docs/submission_manual.md §4). The provider's own learner
    id becomes `_local_id_key`; a layout that matches learners through rosters falls back to that
    key as the person key of a subject with no SSN (`ROSTER_ID`, resolved against the roster in
    dbt). A message the memo (`identity.KEY_MEMO`) holds gets its key from there; only the others
    are keyed, and kept as `_NEW_KEYS` for the memo."""
    idn = contract.identity
    if idn is None:
        return IdentityLayers([], [], [], [], [])
    ssn = f"ler_clean({ident(idn.ssn)})" if idn.ssn else "NULL"
    provider = "c_provider_id" if "provider_id" in contract.column_names else "NULL"
    lid_msg = f"ler_lid_msg({provider}, {_c(idn.local_id)})" if idn.local_id else "NULL::varchar"
    cleaned = [
        f"ler_ssn9({ssn}) as _ssn9_own",
        f"{'r._resolved_ssn' if idn.ssn_hash else 'NULL::varchar'} as _ssn9_hashed",
        f"ler_name_norm(ler_clean({ident(idn.last_name)})) as _last_n" if idn.last_name else "'' as _last_n",
        f"ler_name_norm(ler_clean({ident(idn.first_name)})) as _first_n"
        if idn.first_name
        else "'' as _first_n",
        f"{_c(idn.birth_date)} as _birth" if idn.birth_date else "NULL::date as _birth",
        f"{ssn} is not null as _ssn_given",
        f"{lid_msg} as _lid_msg",
    ]
    checked = [
        "ler_ssn9_valid(_ssn9_own) as _own_ok",
        "ler_ssn9_valid(_ssn9_hashed) as _hashed_ok",
        "ler_ndb_msg(_last_n, _first_n, strftime(_birth, '%Y-%m-%d')) as _ndb_msg",
        f"{'_lid_msg' if idn.roster_match else 'NULL::varchar'} as _roster_msg",
    ]
    messages = [
        "case when _own_ok then ler_ssn_msg(_ssn9_own) when _hashed_ok then ler_ssn_msg(_ssn9_hashed) "
        "else coalesce(_ndb_msg, _roster_msg) end as _key_msg",
    ]
    memo_joins = [f"left join {KEY_MEMO} _pk on _pk.msg = m._key_msg"]
    keyed = [
        "coalesce(_pk.key, ler_hmac(_key_msg)) as _person_key",
        "case when _pk.key is null then _key_msg end as _new_key_msg",
    ]
    if idn.local_id:
        memo_joins.append(f"left join {KEY_MEMO} _lk on _lk.msg = m._lid_msg")
        keyed += [
            "coalesce(_lk.key, ler_hmac(_lid_msg)) as _local_id_key",
            "case when _lk.key is null then _lid_msg end as _new_lid_msg",
        ]
    else:
        keyed += ["NULL::varchar as _local_id_key", "NULL::varchar as _new_lid_msg"]
    keyed += [
        "(_own_ok or _hashed_ok) as _is_ssn_key",
        "case when _own_ok then 'SSN' when _hashed_ok then 'SSN_HASH' "
        "when _ndb_msg is not null then 'NAME_DOB' "
        "when _roster_msg is not null then 'ROSTER_ID' end as _identity_source",
        "year(_birth) as _birth_year",
    ]
    return IdentityLayers(cleaned, checked, messages, memo_joins, keyed)


def _new_key_items() -> list[str]:
    """The `_judged` columns of `_NEW_KEYS` (a key only where its message is new)."""
    return [
        "_new_key_msg",
        "case when _new_key_msg is not null then _person_key end as _new_key",
        "_new_lid_msg",
        "case when _new_lid_msg is not null then _local_id_key end as _new_lid_key",
    ]


def _remember_keys(con: duckdb.DuckDBPyConnection) -> None:
    """Put the batch's new messages and keys in the memo, then drop them from `_judged`.

    Two SHA-256 passes per row were a third of judging a wage file; a state's workers recur in
    every quarter, so from the second quarter on nearly every key is looked up instead.
    """
    new = " union ".join(
        f"select {msg} as msg, {key} as key from _judged where {msg} is not null" for msg, key in _NEW_KEYS
    )
    con.execute(f"insert into {KEY_MEMO} {new}")
    for column in (c for pair in _NEW_KEYS for c in pair):
        con.execute(f"alter table _judged drop column {column}")


def _reference_lookups(
    contract: Contract, reference_tables: dict[str, str] | None
) -> tuple[list[str], list[str], list[str]]:
    """(joins, items, checks) of the contract's reference lookups; none when `reference_tables` is None."""
    joins, items, checks = [], [], []
    for i, ref in enumerate(contract.references if reference_tables is not None else ()):
        alias = f"ref{i}"
        on = " and ".join(
            f"s.{_c(a)} = {alias}.{ident(b)}" for a, b in zip(ref.columns, ref.ref_columns, strict=True)
        )
        keys = ", ".join(ident(b) for b in ref.ref_columns)
        joins.append(
            f"left join (select distinct {keys}, true as _hit from {reference_tables[ref.table]}) "
            f"{alias} on {on}"
        )
        items.append(f"{alias}._hit as _refhit{i}")
        nonnull = " and ".join(f"{_c(a)} is not null" for a in ref.columns)
        checks.append(
            f"case when {nonnull} and _refhit{i} is null then {lit(f'{ref.columns[-1]}: {ref.reason}')} end"
        )
    return joins, items, checks


def _row_hash(exprs: list[str]) -> str:
    """The hash that picks the candidates of the exact duplicate check (a test forces collisions)."""
    return f"hash({', '.join(exprs)})"


def _mark_duplicates(con: duckdb.DuckDBPyConnection, contract: Contract, raw_table: str) -> None:
    """Create `_dup_rows` (`_raw_row`: the rowid in `raw_table`) with every exact repeat of an
    earlier line of its file.

    Two records are repeats when their file, reader problem and every raw field are equal (a line the
    reader found broken is a repeat only of itself, by line number); the first by line is kept. The
    exact comparison, a window over all fields, is costly, so it runs only on the candidates: rows
    whose hash of those values occurs more than once in the file. Rows equal in all values share a
    hash, so no repeat is missed, and a hash collision only makes a candidate, never a duplicate.
    """
    fi, line, reason = ident(FILE_IDX), ident(LINE), ident(PROBLEM_REASON)
    key = [fi, f"case when {reason} is not null then {line} end", reason]
    key += [ident(c) for c in contract.column_names]
    con.execute(f"""
        create or replace temp table _dup_rows as
        with hashed as (select rowid as _raw_row, {fi}, {_row_hash(key)} as _h from {raw_table}),
        repeated as (select {fi}, _h from hashed group by {fi}, _h having count(*) > 1),
        candidates as (select _raw_row from hashed semi join repeated using ({fi}, _h))
        select rowid as _raw_row from {raw_table}
        where rowid in (select _raw_row from candidates)
        qualify row_number() over (partition by {", ".join(key)} order by {line}) > 1
    """)


def _checks(contract: Contract, max_field_length: int, ref_checks: list[str]) -> list[str]:
    """Every rule of the contract as SQL yielding 'field: reason' when a row breaks it, else null."""
    checks = (
        _type_checks(contract, max_field_length)
        + [_expectation_check(contract, e) for e in contract.expectations]
        + ref_checks
    )
    if contract.identity is not None:
        if contract.identity.invalid_ssn == "reject":  # wage rows: the SSN is the only identity
            checks.append("case when _ssn_given and not _own_ok then 'ssn: not a valid SSN' end")
        else:
            checks.append(
                "case when _person_key is null then 'ssn: no valid SSN, and no name with birth date "
                "or roster id to identify the learner' end"
            )
    return checks


# The lake columns that are the same for every row of a file (or its line number): added by the
# `_loaded` view from the files table, not stored in `_judged`, whose every byte is materialized
# and read once more (a state's wage file name, in each of its 1.28 M judged rows, is 46 MB).
def _per_file_items(contract: Contract) -> dict[str, str]:
    return {
        "file_name": "f.file_name",
        "file_seq": "f.file_seq",
        "line_number": f"j.{ident(LINE)}",
        "source_format": lit(contract.file_format),
    }


def _lake_items(contract: Contract, lake_columns: tuple[tuple[str, str], ...]) -> list[str]:
    """The typed lake columns of a judged row but the per-file ones (PII columns are written as NULL).

    They are computed for every row, rejected ones too, so no cast here may fail on any text: numbers
    are `try_cast` to their contract type (the lake column's type), dates parsed with `try_strptime`.
    """
    derived = {
        "person_key": "_person_key",
        "local_id_key": "_local_id_key",
        "is_ssn_key": "_is_ssn_key",
        "identity_source": "_identity_source",
        "birth_year": "_birth_year",
    }
    per_file = _per_file_items(contract)
    non_pii = set(contract.column_names) - contract.pii_columns
    items = []
    for name, sql_type in lake_columns:
        if name in per_file:
            continue
        if name in derived:
            expr = derived[name]
        elif name in non_pii:
            expr = _typed_expr(contract, name)
        else:
            expr = "NULL"
        items.append(f"cast({expr} as {sql_type}) as {ident(name)}")
    return items


def _loaded_items(contract: Contract, lake_columns: tuple[tuple[str, str], ...]) -> str:
    """The `_loaded` view's lake columns, in the lake's order: the per-file ones from the files
    table `f`, the others from `_judged j`."""
    per_file = _per_file_items(contract)
    return ", ".join(
        f"cast({per_file[name]} as {sql_type}) as {ident(name)}" if name in per_file else f"j.{ident(name)}"
        for name, sql_type in lake_columns
    )


def _record_items(contract: Contract, alias: str, max_field_length: int) -> str:
    """The raw fields as the rejected-rows record shows them: PII redacted, over-long values cut short."""

    def shown(c: str) -> str:
        if c in contract.pii_columns:
            return lit(REDACTED)
        v = f"{alias}.{ident(c)}"
        return (
            f"case when length({v}) > {max_field_length} then left({v}, {SHOWN_CHARS}) || "
            f"'... (' || length({v})::varchar || ' characters)' else {v} end"
        )

    return ", ".join(f"{ident(c)} := {shown(c)}" for c in contract.column_names)


def validate(
    con: duckdb.DuckDBPyConnection,
    contract: Contract,
    raw_table: str,
    files_table: str,
    *,
    lake_columns: tuple[tuple[str, str], ...],
    max_field_length: int,
    reference_tables: dict[str, str] | None,
    resolved_ssn_table: str | None = None,
) -> dict[int, Counts]:
    """Create temp view `_loaded` and temp table `_rejected` (both keyed by `_file_idx`; `_rejected`
    in file and line order, `_loaded` in none); return counts per file.

    `lake_columns` are the (name, SQL type) columns of the contract's lake table (`Registry.lake_schema`).
    `files_table` has `_file_idx, file_name, file_seq`. `reference_tables` maps a contract
    reference's table ("providers") to the relation with the effective reference rows; None skips
    the reference lookups.
    `resolved_ssn_table` (`_file_idx, _line, _resolved_ssn`) carries SSNs matched to hashed badge
    identities; it exists only in memory.

    Every row is cleaned, keyed and checked once, into the narrow table `_judged` (its typed lake
    columns, duplicate flag and problems, no raw text); `_loaded` is the view of its rows that load, and
    `_rejected` takes the raw text of its record from `raw_table` for the rejected rows alone.
    """
    unsupported = [e.type for e in contract.expectations if e.type not in SUPPORTED_EXPECTATIONS]
    if unsupported:
        raise ValueError(f"{contract.layout}: unsupported expectation types {unsupported}")

    fi, line = ident(FILE_IDX), ident(LINE)
    clean_items = [f"{_clean_expr(contract, c)} as {_c(c)}" for c in contract.column_names]
    joins, ref_items, ref_checks = _reference_lookups(contract, reference_tables)
    if contract.identity and contract.identity.ssn_hash:
        resolved = resolved_ssn_table or (
            f"(select NULL::bigint as {fi}, NULL::bigint as {line}, NULL::varchar as _resolved_ssn)"
        )
        joins.append(f"left join {resolved} r on r.{fi} = s.{fi} and r.{line} = s.{line}")
    idn = _identity_layers(contract)
    checks = _checks(contract, max_field_length, ref_checks)
    lake_items = _lake_items(contract, lake_columns)

    def sel(*groups: list[str]) -> str:
        return ", ".join(item for g in groups for item in g)

    new_keys = _new_key_items() if contract.identity is not None else []
    _mark_duplicates(con, contract, raw_table)
    con.execute(f"""
        create or replace temp table _judged as
        with s as (select rowid as _raw_row, *, {", ".join(clean_items)} from {raw_table}),
        l1 as (select {sel(["s.*"], ref_items, idn.cleaned)} from s {" ".join(joins)}),
        l2 as (select {sel(["*"], idn.checked)} from l1),
        m as (select {sel(["*"], idn.messages)} from l2),
        l3 as (select {sel(["m.*"], idn.keyed)} from m {" ".join(idn.memo_joins)}),
        checked as (select *, nullif(concat_ws('; ', {", ".join(checks)}), '') as _problems from l3)
        select {fi}, {line}, _raw_row, _raw_row in (select _raw_row from _dup_rows) as _is_dup, _problems,
               {sel(lake_items, new_keys)}
        from checked join {files_table} f using ({fi})
    """)
    if new_keys:
        _remember_keys(con)
    con.execute("drop table _dup_rows")
    con.execute(f"""
        create or replace temp view _loaded as
        select j.{fi}, {_loaded_items(contract, lake_columns)}
        from _judged j join {files_table} f using ({fi}) where not j._is_dup and j._problems is null
    """)
    con.execute(f"""
        create or replace temp table _rejected as
        select j.{fi}, f.file_name, j.{line}::bigint as line_number,
               regexp_extract(j._problems, '^([^:]*):', 1) as field, j._problems as reason,
               to_json(struct_pack({_record_items(contract, "raw", max_field_length)}))::varchar as record
        from _judged j join {raw_table} raw on raw.rowid = j._raw_row join {files_table} f on f.{fi} = j.{fi}
        where not j._is_dup and j._problems is not null order by j.{fi}, j.{line}
    """)
    rows = con.execute(f"""
        select {fi}, count(*), count(*) filter (where _is_dup),
               count(*) filter (where not _is_dup and _problems is not null)
        from _judged group by {fi}
    """).fetchall()
    return {idx: Counts(read, read - dup - rej, rej, dup) for idx, read, dup, rej in rows}
