"""Reusable Textual widgets (terminal view, DAG view, convoy tree, mail list, activity feed, agent list).

This package never imports `gastown_tui`: widgets take plain data and post messages.
"""
