"""Synthetic landing-zone generator for the LER warehouse (docs/submission_manual.md §1-§3).

It writes files only, in the submission layouts of the spec, and never imports the warehouse's own
parsers: the pipeline is tested against an independent writer. Run it with
`python -m sample_data.generate --out DIR --learners N [--seed S]`.
"""
