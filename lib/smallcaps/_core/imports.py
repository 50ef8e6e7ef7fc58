"""Imports with a known, avoidable cost."""

from __future__ import annotations

import sys
from types import ModuleType


def jsonschema_without_iri() -> ModuleType:
    """``jsonschema``, imported without its IRI format checker when not yet imported.

    jsonschema imports ``rfc3987_syntax`` when it is installed (jupyter-events asks for
    it), and that import builds its grammar's parsers: 1.5-3 s of CPU in every process
    that validates anything (an upstream issue, python-jsonschema/jsonschema#1392). The
    kit's schemas use no ``iri`` formats, so the module is skipped during this import
    only: jsonschema then leaves ``iri``/``iri-reference`` unchecked, as it does when
    the package is missing, and a later ``import rfc3987_syntax`` still works.
    """
    if "jsonschema" in sys.modules:
        return sys.modules["jsonschema"]
    blocked = "rfc3987_syntax" not in sys.modules
    if blocked:
        sys.modules["rfc3987_syntax"] = None  # type: ignore[assignment]
    try:
        import jsonschema
    finally:
        if blocked and sys.modules.get("rfc3987_syntax", False) is None:
            del sys.modules["rfc3987_syntax"]
    return jsonschema
