"""`ler verify FILE` and `ler issuer-key`: say why a credential passes or fails; bad input gets one
plain line and a non-zero exit, never a traceback and never a value of the credential."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from dagster_project import cli
from dagster_project.credentials.issuer import load_key_file
from dagster_project.credentials.proofs import sign
from tests.badge_samples import identity_object, ob3_credential
from tests.test_credentials_proofs import CREATED, KEY, OTHER, signed

SSN = "219-09-9999"
NAME = "Zoë De La Cruz"


def badge(**kwargs) -> dict:
    """A signed, schema-valid badge whose subject carries an SSN and a name (to catch any echo)."""
    credential = ob3_credential(identifiers=[identity_object("nationalIdentityNumber", SSN),
                                             identity_object("name", NAME)], **kwargs)
    credential["credentialSubject"]["achievement"]["description"] = "A welding certification."
    return credential


def run(capsys: pytest.CaptureFixture, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    assert SSN not in out + err and SSN.replace("-", "") not in out + err and "Zoë" not in out + err
    return code, out, err


def write(tmp_path: Path, value, name: str = "credential.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(value) if not isinstance(value, str) else value, encoding="utf-8")
    return path


def test_a_signed_credential_passes(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    code, out, _ = run(capsys, "verify", str(write(tmp_path, signed(badge()))), "--as-of", "2026-12-01")
    assert code == cli.EXIT_OK
    lines = out.splitlines()
    assert lines[0] == "credential.json: PASS (OpenBadgeCredential, as of 2026-12-01)"
    verified = "  proof  VERIFIED: eddsa-rdfc-2022 signature checks with the did:key of its " \
               "verificationMethod"
    assert verified in lines
    assert "  dates  ok: valid from 2024-05-01" in lines
    assert "  schema ok: ob_v3p0_achievementcredential_schema.json" in lines
    assert any(line.startswith("  issuer note: the signing did:key is not the issuer id") for line in lines)


@pytest.mark.parametrize(("tamper", "why"), [
    (lambda c: c["credentialSubject"]["achievement"].update(name="Master Welder"),
     "why: proof INVALID: eddsa-rdfc-2022 signature does not match the document and the key its "
     "verificationMethod names"),
    (lambda c: c["proof"].update(verificationMethod=KEY.verification_method),  # signed by OTHER
     "why: proof INVALID: eddsa-rdfc-2022 signature does not match the document"),
    (lambda c: c["proof"].update(cryptosuite="ecdsa-rdfc-2019"),
     "why: proof UNVERIFIABLE: the cryptosuite 'ecdsa-rdfc-2019' is not supported"),
])
def test_tampering_fails_with_the_reason(tmp_path: Path, capsys: pytest.CaptureFixture, tamper, why) -> None:
    credential = sign(badge(), OTHER.seed, OTHER.verification_method, CREATED)
    tamper(credential)
    code, out, _ = run(capsys, "verify", str(write(tmp_path, credential)))
    assert code == cli.EXIT_FAILED
    assert out.splitlines()[0].startswith("credential.json: FAIL (OpenBadgeCredential")
    assert any(line.startswith(f"  {why}") for line in out.splitlines()), out


def test_an_expired_credential_fails_on_its_dates(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    credential = signed(badge(expires="2025-01-01T00:00:00Z"))
    code, out, _ = run(capsys, "verify", str(write(tmp_path, credential)), "--as-of", "2026-12-01")
    assert code == cli.EXIT_FAILED
    assert "  proof  VERIFIED" in out  # the signature is fine; the credential is not valid any more
    assert "  why: dates: expired: validUntil was 2025-01-01" in out.splitlines()
    code, _, _ = run(capsys, "verify", str(write(tmp_path, credential)), "--as-of", "2024-12-31")
    assert code == cli.EXIT_OK


def test_a_schema_failure_names_path_and_rule(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    credential = badge()
    del credential["validFrom"]
    code, out, _ = run(capsys, "verify", str(write(tmp_path, signed(credential))))
    assert code == cli.EXIT_FAILED
    schema = "ob_v3p0_achievementcredential_schema.json: (the credential): missing 'validFrom'"
    assert f"  schema fail: {schema}" in out


def test_an_array_reports_each_credential(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    good, bad = signed(badge()), signed(badge())
    bad["name"] = "changed"
    code, out, _ = run(capsys, "verify", str(write(tmp_path, [good, bad])))
    assert code == cli.EXIT_FAILED
    heads = [line for line in out.splitlines() if line.startswith("credential.json [")]
    assert [h.split(":")[1].split()[0] for h in heads] == ["PASS", "FAIL"]


@pytest.mark.parametrize(("content", "message"), [
    ("{not json", "credential.json: malformed JSON at line 1, column 2: Expecting property name enclosed in "
                  "double quotes"),
    ("[" * 70 + "]" * 70, "credential.json: JSON nested deeper than 64 levels"),
    ("", "credential.json: empty file"),
    ("eyJhbGciOiJSUzI1NiJ9.eyJ2YyI6e319.c2ln", "credential.json: a compact JWT credential; only credentials "
                                               "with an embedded proof (JSON) are verified"),
    ('{"type": ["Person"], "name": "Zoë De La Cruz"}',
     "credential.json: the top-level value is not a verifiable credential (no type VerifiableCredential)"),
    ("[]", "credential.json: an empty JSON array holds no credential"),
])
def test_bad_input_is_one_plain_line(tmp_path: Path, capsys: pytest.CaptureFixture, content: str,
                                     message: str) -> None:
    code, out, err = run(capsys, "verify", str(write(tmp_path, content)))
    assert code == cli.EXIT_USAGE
    assert out == ""
    assert err == f"ler verify: {message}\n"


def test_json_depth_limit_is_the_ingestion_setting(tmp_path: Path, capsys: pytest.CaptureFixture,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    deep = signed(badge())
    deep["credentialSubject"]["achievement"]["criteria"] = {"narrative": "x"}
    monkeypatch.setenv("LER_MAX_JSON_DEPTH", "3")
    code, _, err = run(capsys, "verify", str(write(tmp_path, deep)))
    assert (code, err) == (cli.EXIT_USAGE, "ler verify: credential.json: JSON nested deeper than 3 levels\n")


def test_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    code, _, err = run(capsys, "verify", str(tmp_path / "nope.json"))
    assert (code, err) == (cli.EXIT_USAGE, f"ler verify: {tmp_path / 'nope.json'} is not a file\n")


# --------------------------------------------------------------------------- ler issuer-key


def test_issuer_key_writes_a_private_key_and_never_overwrites(tmp_path: Path,
                                                             capsys: pytest.CaptureFixture) -> None:
    path = tmp_path / "issuer.json"
    code, out, _ = run(capsys, "issuer-key", "--out", str(path))
    assert code == cli.EXIT_OK
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    key = load_key_file(path)
    assert f"issuer did:key (public, verifies every record signed with it): {key.did}" in out
    assert json.loads(path.read_text())["secretKeyMultibase"] not in out
    before = path.read_bytes()
    code, _, err = run(capsys, "issuer-key", "--out", str(path))
    assert (code, err) == (cli.EXIT_FAILED,
                           f"ler issuer-key: {path} already exists: an issuer key is never overwritten\n")
    assert path.read_bytes() == before
