"""Security tests reuse the agent/engine town fixtures (real git, scripted runtime)."""

from tests.agents.conftest import engine_proc, ledger, town  # noqa: F401 - fixtures
