"""Command-line entry points `gastown` and `gt`: one module per command group, imported lazily."""
