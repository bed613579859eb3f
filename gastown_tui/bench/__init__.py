"""Benchmarks (not tests): each module runs with `python -m gastown_tui.bench.<name>` and prints a table."""
