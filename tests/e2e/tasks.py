"""What the scripted polecats do for the two beads of the calc convoy (matched on the bead title)."""

from __future__ import annotations

from policy import Task
from stub_api import ToolUse

FIX_TITLE = "Fix the failing add test"
FEATURE_TITLE = "Add a multiply function"

MULTIPLY = '''# More operations go below.


def multiply(a, b):
    """Product of a and b."""
    return a * b
'''

TEST_MULTIPLY = '''from calc import multiply


def test_multiply():
    assert multiply(4, 5) == 20
'''

CALC_TASKS = [
    Task(FIX_TITLE, [ToolUse("Edit", {"file_path": "calc.py",
                                      "old_string": '    """Sum of a and b."""\n    return a - b',
                                      "new_string": '    """Sum of a and b."""\n    return a + b'})],
         commit_message="calc: add() adds (fixes the failing test)"),
    Task(FEATURE_TITLE, [ToolUse("Edit", {"file_path": "calc.py", "old_string": "# More operations go below.\n",
                                          "new_string": MULTIPLY}),
                         ToolUse("Write", {"file_path": "test_multiply.py", "content": TEST_MULTIPLY})],
         commit_message="calc: multiply() with a test"),
]
