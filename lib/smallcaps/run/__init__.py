"""Running notebooks and exporting them (``export``: self-contained HTML reports and decks)."""

import sys
import types
from typing import Any


class _CallablePackage(types.ModuleType):
    """Importing ``smallcaps.run.export`` binds ``smallcaps.run`` to this package, which
    would shadow the ``sc.run(notebook, parameters)`` function: calling the package runs
    the runner, so both spellings keep working."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        from ..runner import run

        return run(*args, **kwargs)


sys.modules[__name__].__class__ = _CallablePackage
