"""Feedback to each provider about its submissions (docs/feedback.md, issue 11 item 5).

Written with every run by the `feedback` asset (dagster_project/assets/feedback.py) and by
`ler feedback PROVIDER`, into the warehouse's restricted area `<warehouse>/feedback/<provider>/`:
only that provider's own files and records, no personal data, HTML and spreadsheet-safe CSV.

    findings.py   rejected rows as one (file, line, field, reason) per problem; shared with `ler validate`
    data.py       what a provider's feedback says: whose files are whose, the tables, the measures (SQL)
    history.py    one summary per submission, the previous submission, the change
    html.py       the self-contained, escaped page
    write.py      the provider folders, the CSV files and the data office's unattributed files
"""
