"""Presentation outside Block Kit: what the CLI writes (the report as CSV and Markdown)."""
