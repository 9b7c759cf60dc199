"""The asset graph as plain data, for the snapshot test (tests/test_asset_graph_snapshot.py).

Every asset key with its group, kinds and upstream keys, and every asset check with its blocking
flag. A change to any of them shows up as a diff against tests/snapshots/asset_graph.json; when the
change is meant, regenerate the file with `python -m tests.support.asset_graph` and commit it with
the change that caused it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

SNAPSHOT = Path(__file__).parent.parent / "snapshots" / "asset_graph.json"


def describe_graph() -> dict[str, dict]:
    from dagster_project.definitions import defs

    graph = defs.resolve_asset_graph()
    checks: dict[str, list[dict]] = {}
    for key in graph.asset_check_keys:
        spec = graph.get_check_spec(key)
        checks.setdefault(key.asset_key.to_user_string(), []).append(
            {"name": key.name, "blocking": bool(spec.blocking)}
        )
    assets = {}
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        name = key.to_user_string()
        assets[name] = {
            "group": node.group_name,
            "kinds": sorted(node.kinds),
            "deps": sorted(k.to_user_string() for k in node.parent_keys),
            "checks": sorted(checks.get(name, []), key=lambda c: c["name"]),
        }
    return dict(sorted(assets.items()))


def render(graph: dict[str, dict]) -> str:
    return json.dumps(graph, indent=1, sort_keys=True) + "\n"


def main() -> int:
    SNAPSHOT.parent.mkdir(parents=True, exist_ok=True)
    SNAPSHOT.write_text(render(describe_graph()), encoding="utf-8")
    print(f"wrote {SNAPSHOT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
