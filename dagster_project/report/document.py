"""The legislative report as a document: headings, text, tables and charts built from the published
tables (data.py), rendered the same way to HTML (html.py) and PDF (pdf.py).

Sections (issue 11 item 4): Workforce Pell status by program with completion and placement against
their thresholds and value-added earnings against tuition; employment and median earnings after
completion by credential level and by program; trends by completion year; the equity breakdown;
then every measure's definition and suppression rule and the thresholds of the run. Definitions are
the published comments (the dbt docs, copied into published.duckdb by the codebook) and the
codebook's suppression texts; thresholds are the published run_metadata (the Workforce Pell 70 %
lines, which it does not carry, are the LER_* settings in force). Nothing here computes a measure.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from dagster_project.report import charts
from dagster_project.report.data import Published, Value

TITLE = "Employment and earnings of credential completers"
DIMENSION_NAMES = {"SEX": "sex", "RACE_ETHNICITY": "race/ethnicity", "AGE_AT_COMPLETION": "age at completion"}
PROGRAM_CHART_LIMIT = 25
NONE = "—"  # a null text that no rule hid (no reasons, no top industry)


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 2
    anchor: str = ""


@dataclass(frozen=True)
class Text:
    text: str
    note: bool = False


@dataclass(frozen=True)
class Cell:
    text: str
    kind: str = "text"  # text, num, suppressed, na


@dataclass(frozen=True)
class Grid:
    caption: str
    header: list[str]
    rows: list[list[Cell]]


@dataclass(frozen=True)
class Figure:
    chart: charts.Chart
    caption: str


@dataclass(frozen=True)
class Terms:
    items: list[tuple[str, str]]


Block = Heading | Text | Grid | Figure | Terms


@dataclass
class Document:
    title: str
    subtitle: str
    blocks: list[Block] = field(default_factory=list)

    def add(self, *blocks: Block) -> None:
        self.blocks.extend(blocks)


# -- cell formatting ----------------------------------------------------------------------------------
def kind_of(column: str) -> str:
    if "rate" in column:
        return "rate"
    if "earnings" in column or column == "tuition_fees":
        return "money"
    if column.startswith("n_") or column.endswith("_n_attached"):
        return "count"
    return "text"


def cell(column: str, value: Value) -> Cell:
    """A published cell as the report shows it; a null is 'suppressed' or 'n/a', never a number."""
    kind = kind_of(column)
    if value.missing:
        if value.hidden:
            return Cell(charts.SUPPRESSED, "suppressed")
        return Cell(charts.NOT_COMPUTABLE if kind != "text" else NONE, "na")
    v = value.value
    if isinstance(v, bool):
        return Cell("yes" if v else "no")
    if kind == "rate":
        return Cell(f"{float(v) * 100:.1f} %", "num")
    if kind == "money":
        return Cell(f"${float(v):,.0f}", "num")
    if kind == "count":
        return Cell(f"{int(v):,}", "num")
    return Cell(str(v))


def grid(caption: str, rows: Sequence[dict[str, Value]], columns: Sequence[tuple[str, str]]) -> Grid:
    """A table of `rows` with (column, header) pairs."""
    return Grid(caption, [h for _c, h in columns], [[cell(c, r[c]) for c, _h in columns] for r in rows])


def _text(row: dict[str, Value], *columns: str) -> str:
    return " ".join(str(row[c].value) for c in columns if row[c].value is not None)


def _level(row: dict[str, Value]) -> str:
    return f"{row['credential_level'].value} ({str(row['credit_type'].value).lower()})"


# -- sections -----------------------------------------------------------------------------------------
def _missing_section(doc: Document, table: str) -> None:
    doc.add(
        Text(f"The table reporting.{table} is not in this publication (or has another layout).", note=True)
    )


def _thresholds(published: Published) -> dict[str, float]:
    from dagster_project.settings import setting_value

    found = {}
    for name in ("wpell_completion_threshold", "wpell_placement_threshold"):
        published_value = published.run.get(name)
        found[name] = float(published_value if published_value is not None else setting_value(name))
    return found


def wpell_section(doc: Document, published: Published) -> None:
    doc.add(Heading("Workforce Pell eligibility by program", anchor="wpell"))
    needed = (
        "provider_id",
        "program_id",
        "cohort_year",
        "status",
        "completion_rate",
        "placement_rate",
        "value_added_earnings",
        "tuition_fees",
        "reasons",
        "n_cohort",
    )
    if not published.has("wpell_program_outcomes", *needed, "suppressed_columns"):
        return _missing_section(doc, "wpell_program_outcomes")
    latest = published.rows.get("wpell_latest", [])
    limits = _thresholds(published)
    completion, placement = limits["wpell_completion_threshold"], limits["wpell_placement_threshold"]
    doc.add(
        Text(
            f"Each candidate program's most recent cohort year with an eligibility decision (its latest "
            f"cohort when none has one). A program is eligible when it meets the length and in-demand tests, "
            f"completes at least {completion:.0%} of its cohort within 150 % of normal time, places at least "
            f"{placement:.0%} of its completers within 180 days, and its value-added earnings are not below "
            "its tuition and fees (docs/reporting_rules.md §7.1)."
        )
    )
    if not latest:
        return doc.add(Text("No Workforce Pell candidate program has a cohort yet.", note=True))
    labels = [f"{_text(r, 'provider_id', 'program_id')} ({r['cohort_year'].value})" for r in latest]
    doc.add(
        Figure(
            charts.bars(
                labels,
                [
                    charts.Series("completion rate", [r["completion_rate"] for r in latest]),
                    charts.Series("placement rate", [r["placement_rate"] for r in latest]),
                ],
                title="Completion within 150 % and placement within 180 days",
                percent=True,
                lines=[
                    (completion, f"completion threshold {completion:.0%}"),
                    (placement, f"placement threshold {placement:.0%}"),
                ]
                if completion != placement
                else [(completion, f"threshold {completion:.0%}")],
            ),
            "Completion and placement rates against the thresholds; suppressed and not computable rates "
            "are labelled, not drawn.",
        )
    )
    vae = published.rows.get("wpell_vae", [])
    doc.add(
        Figure(
            charts.bars(
                [f"{_text(r, 'provider_id', 'program_id')} ({r['cohort_year'].value})" for r in vae],
                [
                    charts.Series("value-added earnings", [r["value_added_earnings"] for r in vae]),
                    charts.Series("tuition and fees", [r["tuition_fees"] for r in vae]),
                ],
                title="Value-added earnings against tuition and fees",
                percent=False,
            ),
            "Value-added earnings (median year-3 earnings above 150 % of the poverty guideline) next to the "
            "program's tuition and fees, for each program's latest cohort with a published value (year-3 "
            "earnings arrive three calendar years after completion).",
        )
    )
    doc.add(
        grid(
            "Eligibility, most recent decided cohort",
            latest,
            [
                ("provider_id", "provider"),
                ("program_id", "program"),
                ("cohort_year", "cohort"),
                ("n_cohort", "cohort size"),
                ("completion_rate", "completion"),
                ("placement_rate", "placement"),
                ("value_added_earnings", "value added"),
                ("tuition_fees", "tuition"),
                ("status", "status"),
                ("reasons", "reasons"),
            ],
        )
    )
    every = published.rows.get("wpell_all", [])
    years = sorted({str(r["cohort_year"].value) for r in every})
    by_program: dict[tuple[str, str], dict[str, str]] = {}
    for r in every:
        key = (str(r["provider_id"].value), str(r["program_id"].value))
        by_program.setdefault(key, {})[str(r["cohort_year"].value)] = str(r["status"].value)
    doc.add(
        Grid(
            "Status by cohort year",
            ["provider", "program", *years],
            [
                [Cell(p), Cell(q), *(Cell(statuses.get(y, "")) for y in years)]
                for (p, q), statuses in sorted(by_program.items())
            ],
        )
    )


def _report_year(published: Published) -> str | None:
    """The completion year shown: the latest whose 4th quarter after completion is published for some
    credential level (else the latest year with any completers)."""
    rows = published.rows.get("statewide", [])
    observed = [str(r["completion_year"].value) for r in rows if not r["employment_rate_q4"].missing]
    years = observed or [str(r["completion_year"].value) for r in rows]
    return max(years) if years else None


OUTCOME_COLUMNS = (
    ("n_completers", "completers"),
    ("employment_rate_q2", "employed Q2"),
    ("median_earnings_q2", "median Q2"),
    ("employment_rate_q4", "employed Q4"),
    ("median_earnings_q4", "median Q4"),
)


def outcomes_section(doc: Document, published: Published, year: str | None) -> None:
    doc.add(Heading("Employment and earnings after completion", anchor="outcomes"))
    needed = ("credit_type", "credential_level", "completion_year", *(c for c, _ in OUTCOME_COLUMNS))
    if not published.has("statewide_outcomes", *needed) or year is None:
        return _missing_section(doc, "statewide_outcomes")
    doc.add(
        Text(
            f"Completers of award year {year} (the latest year whose 4th quarter after completion is in the "
            "wage data): the share employed (earnings above 0) in the 2nd and 4th quarter after the quarter "
            "of completion, and the median quarterly earnings of those employed (docs/reporting_rules.md "
            "§7.2, §7.3)."
        )
    )
    rows = [r for r in published.rows["statewide"] if r["completion_year"].value == year]
    labels = [_level(r) for r in rows]
    doc.add(Heading("By credential level", level=3))
    doc.add(
        Figure(
            charts.bars(
                labels,
                [
                    charts.Series("2nd quarter", [r["employment_rate_q2"] for r in rows]),
                    charts.Series("4th quarter", [r["employment_rate_q4"] for r in rows]),
                ],
                title=f"Employment rate after completion, {year}",
                percent=True,
            ),
            "Share of completers employed in the 2nd and 4th quarter after completion, by credential level.",
        )
    )
    doc.add(
        Figure(
            charts.bars(
                labels,
                [
                    charts.Series("2nd quarter", [r["median_earnings_q2"] for r in rows]),
                    charts.Series("4th quarter", [r["median_earnings_q4"] for r in rows]),
                ],
                title=f"Median quarterly earnings of the employed, {year}",
                percent=False,
            ),
            "Median quarterly earnings of employed completers, by credential level.",
        )
    )
    doc.add(
        grid(
            f"Statewide outcomes, completion year {year}",
            rows,
            [("credit_type", "credit type"), ("credential_level", "credential level"), *OUTCOME_COLUMNS],
        )
    )
    doc.add(Heading("By program", level=3))
    if not published.has("program_outcomes", "provider_id", "program_name", *needed):
        return _missing_section(doc, "program_outcomes")
    programs = [r for r in published.rows.get("programs", []) if r["completion_year"].value == year]
    charted = sorted(programs, key=lambda r: -(r["n_completers"].value or 0))[:PROGRAM_CHART_LIMIT]
    if charted:
        doc.add(
            Figure(
                charts.bars(
                    [f"{_text(r, 'program_name')} ({r['provider_id'].value})" for r in charted],
                    [charts.Series("4th quarter", [r["employment_rate_q4"] for r in charted])],
                    title=f"Employment rate in the 4th quarter after completion by program, {year}",
                    percent=True,
                ),
                f"The {len(charted)} programs with the most published completers in {year}"
                + (
                    f" (of {len(programs)}; every program is in the table below)."
                    if len(programs) > len(charted)
                    else "."
                ),
            )
        )
    doc.add(
        grid(
            f"Program outcomes, completion year {year}",
            programs,
            [
                ("provider_id", "provider"),
                ("program_name", "program"),
                ("credential_level", "level"),
                *OUTCOME_COLUMNS,
                ("top_industry_q4", "top industry Q4"),
            ],
        )
    )


def trends_section(doc: Document, published: Published) -> None:
    doc.add(Heading("Trends by completion year", anchor="trends"))
    if not published.has(
        "statewide_outcomes", "employment_rate_q4", "median_earnings_q4", "credential_level"
    ):
        return _missing_section(doc, "statewide_outcomes")
    rows = published.rows.get("statewide", [])
    years = sorted({str(r["completion_year"].value) for r in rows})
    levels = sorted({_level(r) for r in rows})
    table = {(_level(r), str(r["completion_year"].value)): r for r in rows}

    def series(column: str) -> list[charts.Series]:
        return [
            charts.Series(lv, [table[(lv, y)][column] if (lv, y) in table else Value(None) for y in years])
            for lv in levels
        ]

    doc.add(
        Text(
            "Each line is one credential level; completion years whose 4th quarter after completion "
            "is not yet in the wage data have no value (n/a)."
        )
    )
    doc.add(
        Figure(
            charts.lines(
                years,
                series("employment_rate_q4"),
                title="Employment rate in the 4th quarter after completion",
                percent=True,
            ),
            "Employment rate in the 4th quarter after completion, by completion year.",
        )
    )
    doc.add(
        Figure(
            charts.lines(
                years,
                series("median_earnings_q4"),
                title="Median earnings in the 4th quarter after completion",
                percent=False,
            ),
            "Median quarterly earnings of the employed, 4th quarter after completion.",
        )
    )
    doc.add(
        Grid(
            "Employment rate in the 4th quarter after completion",
            ["credential level", *years],
            [
                [
                    Cell(lv),
                    *(
                        cell("employment_rate_q4", table[(lv, y)]["employment_rate_q4"])
                        if (lv, y) in table
                        else Cell("", "text")
                        for y in years
                    ),
                ]
                for lv in levels
            ],
        )
    )


def equity_section(doc: Document, published: Published, year: str | None) -> None:
    doc.add(Heading("Equity breakdown", anchor="equity"))
    needed = ("group_dimension", "group_value", "credential_level", "completion_year", "employment_rate_q4")
    if not published.has("statewide_outcomes_by_group", *needed) or year is None:
        return _missing_section(doc, "statewide_outcomes_by_group")
    doc.add(
        Text(
            f"The statewide completers of {year} split by the sex, race/ethnicity and age at completion on "
            "the record of their award (docs/reporting_rules.md §7.5). Within one breakdown the groups add "
            "up to the statewide row; a group that could reveal a small count is suppressed, and so is a "
            "second group of the same row, so no hidden cell can be recovered by subtraction."
        )
    )
    rows = [r for r in published.rows.get("by_group", []) if r["completion_year"].value == year]
    present = {str(r["group_dimension"].value) for r in rows}
    for dimension in [d for d in DIMENSION_NAMES if d in present] + sorted(present - set(DIMENSION_NAMES)):
        part = [r for r in rows if r["group_dimension"].value == dimension]
        doc.add(Heading(f"By {DIMENSION_NAMES.get(dimension, dimension.lower())}", level=3))
        shown = [
            lv
            for lv in sorted({_level(r) for r in part})
            if any(not r["employment_rate_q4"].missing for r in part if _level(r) == lv)
        ]
        groups = sorted({str(r["group_value"].value) for r in part})
        by_key = {(_level(r), str(r["group_value"].value)): r for r in part}
        if shown:
            doc.add(
                Figure(
                    charts.bars(
                        groups,
                        [
                            charts.Series(
                                lv,
                                [
                                    by_key[(lv, g)]["employment_rate_q4"]
                                    if (lv, g) in by_key
                                    else Value(None)
                                    for g in groups
                                ],
                            )
                            for lv in shown
                        ],
                        title=f"Employment rate in the 4th quarter after completion by "
                        f"{DIMENSION_NAMES.get(dimension, dimension)}, {year}",
                        percent=True,
                    ),
                    "Credential levels with at least one published group rate; "
                    "n/a: no completer of that group.",
                )
            )
        doc.add(
            grid(
                f"{dimension}, completion year {year}",
                part,
                [
                    ("credential_level", "credential level"),
                    ("group_value", "group"),
                    *OUTCOME_COLUMNS,
                ],
            )
        )


def _business_rules(comment: str) -> str:
    found = re.search(r"\*\*Business rules\.\*\*(.*?)(?:\n\s*\n\s*\*\*|\Z)", comment or "", re.S)
    return " ".join(found.group(1).split()).replace("`", "") if found else ""


def definitions_section(
    doc: Document,
    published: Published,
    suppression: dict[tuple[str, str], str],
    shown: Iterable[tuple[str, str]],
) -> None:
    doc.add(Heading("Definitions, thresholds and suppression", anchor="definitions"))
    run = published.run
    limits = _thresholds(published)
    facts = [
        ("wage data through", run.get("wage_data_through")),
        ("minimum cell K (LER_MIN_CELL)", run.get("min_cell")),
        ("minimum denominator of a Workforce Pell rate (LER_MIN_COHORT)", run.get("min_cohort")),
        ("minimum year-3 earners for value-added earnings (LER_VAE_MIN_N)", run.get("vae_min_n")),
        (
            "labour-force attachment, annual earnings (LER_MIN_ANNUAL_EARNINGS)",
            run.get("min_annual_earnings"),
        ),
        ("wage lag in quarters (LER_WAGE_LAG_QUARTERS)", run.get("wage_lag_quarters")),
        (
            "Workforce Pell completion threshold (LER_WPELL_COMPLETION_THRESHOLD)",
            f"{limits['wpell_completion_threshold']:.0%}",
        ),
        (
            "Workforce Pell placement threshold (LER_WPELL_PLACEMENT_THRESHOLD)",
            f"{limits['wpell_placement_threshold']:.0%}",
        ),
    ]
    doc.add(Terms([(name, str(value)) for name, value in facts if value is not None]))
    doc.add(
        Text(
            "Suppression (docs/reporting_rules.md §8): a published cell is blank when a rule hid it; this "
            "report shows it as 'suppressed'. A blank that no rule made (nobody to measure) is shown as "
            "'n/a'. Suppressed cells are never recomputed from other cells. The rules of each table, as "
            "its documentation states them:"
        )
    )
    rules = [(f"reporting.{t}", _business_rules(c)) for t, c in sorted(published.table_comments.items())]
    doc.add(Terms([(t, text) for t, text in rules if text]))
    doc.add(Text("Each measure shown in this report: its definition and how it is suppressed."))
    terms = []
    for table, column in shown:
        definition = published.column_comments.get((table, column), "")
        how = suppression.get((table, column), "")
        if definition or how:
            terms.append((f"{table}.{column}", " ".join(p for p in (definition, how) if p)))
    doc.add(Terms(terms))


def shown_measures(doc: Document) -> list[tuple[str, str]]:
    """The (table, column) pairs whose values the report shows, for its definitions."""
    pairs = [
        ("wpell_program_outcomes", c)
        for c in (
            "n_cohort",
            "completion_rate",
            "placement_rate",
            "value_added_earnings",
            "tuition_fees",
            "status",
            "reasons",
        )
    ]
    for table in ("statewide_outcomes", "program_outcomes", "statewide_outcomes_by_group"):
        pairs += [(table, c) for c, _h in OUTCOME_COLUMNS]
    pairs += [("program_outcomes", "top_industry_q4"), ("statewide_outcomes_by_group", "group_value")]
    return pairs


def build(published: Published, codebook: Sequence[dict[str, Any]] = ()) -> Document:
    """The report of one publication."""
    run = published.run
    subtitle = (
        f"Published tables of run {run.get('run_id', 'unknown')}, "
        f"finished {run.get('finished_at', 'unknown')}; "
        f"wage data through {run.get('wage_data_through', 'unknown')}."
    )
    doc = Document(TITLE, subtitle)
    doc.add(
        Text(
            "Built only from the published, suppressed tables (the reporting schema of published.duckdb). "
            "Rates are shares of the stated denominator; earnings are in dollars, not adjusted for inflation."
        )
    )
    year = _report_year(published)
    wpell_section(doc, published)
    outcomes_section(doc, published, year)
    trends_section(doc, published)
    equity_section(doc, published, year)
    suppression = {(r.get("table", ""), r.get("column", "")): r.get("suppression", "") for r in codebook}
    definitions_section(doc, published, suppression, shown_measures(doc))
    return doc
