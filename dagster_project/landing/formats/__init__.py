"""One reader per submission format. Each turns a file into raw string records (see `records.py`)."""
