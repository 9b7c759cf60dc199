"""The state's issuer key file (dagster_project/credentials/issuer.py): written private, read back
checked, and every way it can be wrong is one plain sentence naming the file, never key material."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from dagster_project.credentials.issuer import (
    IssuerKeyError,
    IssuerProfile,
    generate,
    key_document,
    load_key_file,
    write_key_file,
)
from dagster_project.credentials.multikey import encode_public_key


def test_round_trip(tmp_path: Path) -> None:
    key = generate()
    write_key_file(tmp_path / "k.json", key)
    loaded = load_key_file(tmp_path / "k.json")
    assert (loaded.seed, loaded.public_key) == (key.seed, key.public_key)
    doc = json.loads((tmp_path / "k.json").read_text())
    assert doc["type"] == "Multikey" and doc["controller"] == key.did and doc["id"] == key.verification_method
    assert repr(loaded) == f"IssuerKey({key.did})"  # no secret in a traceback or log


def _write(path: Path, text: str, mode: int = 0o600) -> Path:
    path.write_text(text, encoding="utf-8")
    os.chmod(path, mode)
    return path


def test_every_broken_key_file_is_one_plain_sentence(tmp_path: Path) -> None:
    key = generate()
    doc = key_document(key)
    other_public = encode_public_key(generate().public_key)
    cases = {
        None: "no issuer key: set LER_ISSUER_KEY_FILE",
        tmp_path / "missing.json": "does not exist",
        tmp_path: "is not a file",
        _write(tmp_path / "open.json", json.dumps(doc), 0o644): "is readable by other users (mode 0644)",
        _write(tmp_path / "text.json", "not json"): "is not JSON",
        _write(tmp_path / "list.json", "[]"): "is not a Multikey document",
        _write(tmp_path / "half.json", json.dumps({"publicKeyMultibase": doc["publicKeyMultibase"]})):
            "does not hold an Ed25519 secretKeyMultibase and publicKeyMultibase",
        _write(tmp_path / "mixed.json", json.dumps({**doc, "publicKeyMultibase": other_public})):
            "its public key does not belong to its secret key",
    }
    for path, words in cases.items():
        with pytest.raises(IssuerKeyError) as caught:
            load_key_file(path)
        message = str(caught.value)
        assert words in message, (path, message)
        assert doc["secretKeyMultibase"] not in message


def test_issuer_profile_defaults_to_the_key_did() -> None:
    key = generate()
    assert IssuerProfile("State of Example").as_json(key) == {
        "id": key.did, "type": ["Profile"], "name": "State of Example"}
    assert IssuerProfile("S", "https://ler.example.gov", "https://ler.example.gov/about").as_json(key) == {
        "id": "https://ler.example.gov", "type": ["Profile"], "name": "S", "url": "https://ler.example.gov/about"}
