"""`python -m gastown_tui` runs the `gastown` command."""

from gastown_tui.cli.main import gastown_main

gastown_main()
