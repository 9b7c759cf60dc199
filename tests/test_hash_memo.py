"""The SHA-256 memo of landed files (dagster_project/landing/hash_memo.py): a file whose stat is
unchanged is not read again, and any change to a file, even one that keeps its size and
modification time, has it hashed anew."""

from __future__ import annotations

import os
from pathlib import Path

from dagster_project.landing.discovery import discover, sha256_of
from dagster_project.landing.hash_memo import HashMemo


class Counting:
    """sha256_of, counting the files it reads."""

    def __init__(self) -> None:
        self.read: list[str] = []

    def __call__(self, path: Path) -> str:
        self.read.append(path.name)
        return sha256_of(path)


def _memo(tmp_path: Path) -> HashMemo:
    return HashMemo(tmp_path / "memo" / "wages.sha256.json")


def test_an_unchanged_file_is_not_read_again(tmp_path: Path) -> None:
    f = tmp_path / "w.csv"
    f.write_text("a,b\n1,2\n")
    first, second = Counting(), Counting()
    memo = _memo(tmp_path)
    assert memo.sha256(f, first) == sha256_of(f)
    memo.save()
    assert _memo(tmp_path).sha256(f, second) == sha256_of(f)
    assert first.read == ["w.csv"] and second.read == []


def test_an_edit_that_keeps_size_and_mtime_is_hashed_anew(tmp_path: Path) -> None:
    f = tmp_path / "w.csv"
    f.write_text("a,b\n1,2\n")
    memo = _memo(tmp_path)
    old = memo.sha256(f, sha256_of)
    memo.save()
    st = f.stat()
    f.write_text("a,b\n1,3\n")  # same size
    os.utime(f, ns=(st.st_atime_ns, st.st_mtime_ns))  # the old modification time put back
    counting = Counting()
    new = _memo(tmp_path).sha256(f, counting)
    assert counting.read == ["w.csv"] and new == sha256_of(f) != old


def test_a_replaced_file_is_hashed_anew(tmp_path: Path) -> None:
    f, other = tmp_path / "w.csv", tmp_path / "other.csv"
    f.write_text("a,b\n1,2\n")
    memo = _memo(tmp_path)
    memo.sha256(f, sha256_of)
    memo.save()
    other.write_text("a,b\n9,9\n")
    os.replace(other, f)
    assert _memo(tmp_path).sha256(f, sha256_of) == sha256_of(f)


def test_an_unreadable_memo_means_hashing_again(tmp_path: Path) -> None:
    f = tmp_path / "w.csv"
    f.write_text("x\n")
    (tmp_path / "memo").mkdir()
    (tmp_path / "memo" / "wages.sha256.json").write_text("{not json")
    counting = Counting()
    assert _memo(tmp_path).sha256(f, counting) == sha256_of(f) and counting.read == ["w.csv"]


def test_save_keeps_the_files_of_this_run_only(tmp_path: Path) -> None:
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_text("1\n")
    b.write_text("2\n")
    memo = _memo(tmp_path)
    memo.sha256(a, sha256_of)
    memo.sha256(b, sha256_of)
    memo.save()
    b.unlink()
    memo = _memo(tmp_path)
    memo.sha256(a, sha256_of)
    memo.save()
    saved = (tmp_path / "memo" / "wages.sha256.json").read_text()
    assert "a.csv" in saved and "b.csv" not in saved


def test_discover_uses_the_memo(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    (landing / "wages").mkdir(parents=True)
    (landing / "wages" / "ui_wages_2024Q1_20240515.csv").write_text("ssn,year\n")
    plain = discover(landing, kinds=("wages",))
    memo = _memo(tmp_path)
    assert discover(landing, kinds=("wages",), hashes=memo) == plain
    memo.save()
    again = _memo(tmp_path)
    again.sha256 = lambda path, compute: HashMemo.sha256(again, path, _refuse)  # type: ignore[method-assign]
    assert discover(landing, kinds=("wages",), hashes=again) == plain


def _refuse(path: Path) -> str:
    raise AssertionError(f"{path.name} was read again")
