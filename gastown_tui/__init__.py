"""Gas Town TUI: run many coding agents across git projects and get merged work out of them."""

__version__ = "0.1.0"
