"""Verified, portable learner records (docs/learner_records.md).

- `proofs`: check and make Data Integrity EdDSA proofs (eddsa-rdfc-2022, eddsa-jcs-2022,
  Ed25519Signature2020) offline; `canon` the two canonicalizations, `loader` the bundled JSON-LD
  contexts (never the network), `didkey` / `multikey` the keys.
- `verify`: everything `ler verify` reports (proof, dates, issuer, 1EdTech schema, status);
  `schema` the bundled 1EdTech JSON Schemas.
- `issuer`: the state's signing key file and issuer profile; `records`: the learner's CLR 2.0
  record built from the warehouse, `consent`: who may get one.
"""
