"""Command handlers, one module per API area (`api/<area>.py` -> `handlers/<area>.py`); see engine.dispatch.

Add a module name here to have its `@handles` functions registered.
"""

HANDLER_MODULES: tuple[str, ...] = ("core", "agents", "town", "snapshot", "panes", "overseer", "review", "costs",
                                    "runtimes")
