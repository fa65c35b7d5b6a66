"""Commands beyond the single check (explain, rules), registered by cli.py; each imports its work lazily."""
