"""Landing zone: discover files, read each format into raw records, validate, write the PII-free lake."""
