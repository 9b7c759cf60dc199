"""Feedback to each provider about its submissions (docs/feedback.md, issue 11 item 5).

    findings.py   rejected rows as one (file, line, field, reason) per problem; shared with `ler validate`
"""
