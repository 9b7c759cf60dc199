"""Issue 10's targets, judged on the bench's figures, and the markdown summary of a bench.

On this machine class (2 cores, 24 GB):
- mid size full run ≤ 2.5 × floor + 30 s;
- state size full run ≤ 6 minutes and ≤ 2.5 × floor, peak RSS ≤ 8 GB;
- the nightly run ≤ 15 % of the full run at state size;
- a run with no new file ≤ 10 s, and it publishes nothing new;
- time grows no worse than linearly from 5 M to 50 M wage rows: seconds per wage row of each
  larger full run ≤ that of the mid size (the curve is printed);
- the outcome tables at every size equal the reference's, and the state's equal the mid's.
"""

from __future__ import annotations

MID_FACTOR, MID_SLACK_S = 2.5, 30.0
STATE_MAX_S, STATE_FACTOR, STATE_MAX_RSS_MB = 360.0, 2.5, 8000.0
NIGHTLY_SHARE = 0.15
NONE_MAX_S = 10.0


def _target(name: str, ok: bool | None, detail: str) -> dict:
    return {"target": name, "met": ok, "detail": detail}


def judge(results: dict) -> list[dict]:
    sizes, out = results["sizes"], []
    if "mid" in sizes:
        m = sizes["mid"]
        limit = MID_FACTOR * m["floor"]["wall_s"] + MID_SLACK_S
        out.append(
            _target(
                "mid full ≤ 2.5 × floor + 30 s",
                m["full"]["wall_s"] <= limit,
                f"{m['full']['wall_s']} s vs {limit:.1f} s (floor {m['floor']['wall_s']} s)",
            )
        )
    if "state" in sizes:
        s = sizes["state"]
        full, floor = s["full"]["wall_s"], s["floor"]["wall_s"]
        out.append(_target("state full ≤ 6 min", full <= STATE_MAX_S, f"{full} s"))
        out.append(
            _target(
                "state full ≤ 2.5 × floor",
                full <= STATE_FACTOR * floor,
                f"{full} s vs {STATE_FACTOR * floor:.1f} s (floor {floor} s)",
            )
        )
        out.append(
            _target(
                "state peak RSS ≤ 8 GB",
                s["full"]["max_peak_rss_mb"] <= STATE_MAX_RSS_MB,
                f"{s['full']['max_peak_rss_mb']:.0f} MB (highest of the full runs)",
            )
        )
        share = s["nightly"]["wall_s"] / full
        out.append(
            _target(
                "state nightly ≤ 15 % of full",
                share <= NIGHTLY_SHARE,
                f"{s['nightly']['wall_s']} s = {share:.1%} of {full} s",
            )
        )
    for name, r in sizes.items():
        none = r["none"]
        out.append(
            _target(
                f"{name}: no new file ≤ 10 s, nothing new published",
                none["wall_s"] <= NONE_MAX_S and none["published_nothing_new"],
                f"{none['wall_s']} s; publication unchanged: {none['published_nothing_new']}",
            )
        )
    curve = curve_points(results)
    if len(curve) >= 2:
        base_rows, base_s = curve[0]
        worst = max(s / rows for rows, s in curve[1:])
        out.append(
            _target(
                "linear growth 5 M → 50 M wage rows",
                worst <= base_s / base_rows * 1.0,
                "; ".join(
                    f"{rows / 1e6:.1f} M: {s} s ({s / rows * 1e6:.2f} s per M rows)" for rows, s in curve
                ),
            )
        )
    for name, r in sizes.items():
        for scenario, diff in r["exact"].items():
            detail = "no reference" if diff is None else "equal" if not diff else "differ: " + ", ".join(diff)
            out.append(
                _target(
                    f"{name} {scenario}: tables equal the reference",
                    None if diff is None else not diff,
                    detail,
                )
            )
    if "outcomes_equal_mid" in sizes.get("state", {}):
        for scenario, ok in sizes["state"]["outcomes_equal_mid"].items():
            out.append(_target(f"state {scenario}: outcome tables equal the mid size's", ok, str(ok)))
    return out


def curve_points(results: dict) -> list[tuple[int, float]]:
    """(wage rows, full-run wall seconds), smallest first: mid, the curve sizes, state."""
    points = [
        (r["wage_rows"], r["full"]["wall_s"]) for r in results["sizes"].values() if r["size"] != "sample"
    ]
    points += [(c["wage_rows"], c["full"]["wall_s"]) for c in results.get("curve", [])]
    return sorted(points)


def markdown(results: dict) -> str:
    lines = [
        f"# Bench {results['when']} (commit {results['commit'][:10]})",
        "",
        f"{results['machine']['cpus']} cores, {results['machine']['memory_gb']} GB; medians of "
        f"{results['runs']} runs; wall / CPU seconds, peak RSS of the process tree (MB); "
        "ratio = wall / floor wall.",
        "",
        "| size | wage rows | CSV MB | run | wall s | CPU s | peak RSS MB | ratio to floor |",
        "|---|---:|---:|---|---:|---:|---:|---:|",
    ]
    for name, r in results["sizes"].items():
        for run in ("floor", "full", "nightly", "none"):
            f = r[run]
            lines.append(
                f"| {name} | {r['wage_rows']:,} | {r['csv_mb']} | {run} | {f['wall_s']} | {f['cpu_s']} | "
                f"{f['peak_rss_mb']:.0f} | {f.get('ratio_to_floor', 1.0)} |"
            )
    for c in results.get("curve", []):
        for run in ("floor", "full"):
            f = c[run]
            ratio = round(f["wall_s"] / c["floor"]["wall_s"], 2)
            lines.append(
                f"| {c['size']} | {c['wage_rows']:,} | {c['csv_mb']} | {run} | {f['wall_s']:.2f} | "
                f"{f['cpu_s']:.2f} | {f['peak_rss_mb']:.0f} | {ratio} |"
            )
    lines += ["", "| target | met | figures |", "|---|---|---|"]
    for t in results.get("targets", []):
        met = {True: "yes", False: "**no**", None: "n/a"}[t["met"]]
        lines.append(f"| {t['target']} | {met} | {t['detail']} |")
    return "\n".join(lines) + "\n"
