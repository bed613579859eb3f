"""Engine tests reuse the town fixtures of tests/agents."""

from tests.agents.conftest import ledger, town  # noqa: F401 - fixtures
