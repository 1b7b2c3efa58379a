"""Writes the diagnostic's state diagram (Mermaid) for docs/: `python -m flows.diagram`."""

from __future__ import annotations

import sys

from flows.content_loader import load_content
from flows.journey.diagnostic import Diagnostic


def diagram_doc(diagnostic: Diagnostic) -> str:
    return (
        "# The journey diagnostic: states\n\n"
        "Generated from the content by `python -m flows.diagram > docs/diagnostic-states.md`;\n"
        "a test fails when it is stale. Conditions (which step comes next) are left out.\n\n"
        "```mermaid\n" + diagnostic.mermaid().strip() + "\n```\n"
    )


if __name__ == "__main__":
    sys.stdout.write(diagram_doc(Diagnostic(load_content())))
