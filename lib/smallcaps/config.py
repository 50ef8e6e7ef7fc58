"""Every ``SMALLCAPS_*`` setting, read in one place.

This module is the only reader of the kit's environment variables. Each setting is
read when it is asked for (no value is frozen at import), so a test or a runner can
change the environment and see the effect on the next call.

=============================  ===========================================================
variable                       meaning
=============================  ===========================================================
``SMALLCAPS_SNAPSHOT``         snapshot folder read first by ``sc.data.load``
                               (``market/``, ``sentiment/``, ``macro/``, ``universe/`` ...)
``SMALLCAPS_CACHE``            cache folder (default: the platform's user cache folder,
                               e.g. ``~/.cache/smallcaps``; ``make`` sets ``data/cache``)
``SMALLCAPS_DEMO``             ``1``/``true``/``yes``/``on``: fall back to synthetic demo
                               data when nothing real exists (labelled everywhere);
                               ``0``/``false``/``no``/``off`` or unset: never
``SMALLCAPS_NOTEBOOKS``        folder of the notebooks the runner knows by name (default:
                               the notebooks shipped with the package)
``SMALLCAPS_WIDGETS``          ``static`` or ``interactive``: force the explorers' mode
                               (the runner sets ``static`` for its kernels)
``SMALLCAPS_PROVENANCE_LOG``   file that every ``load`` appends its provenance to (set by
                               the runner for each run's manifest)
``SMALLCAPS_PVALUE_LOG``       file that ``sc.pvalues.record`` appends the p-values a
                               notebook computes to (set by the runner for each run's
                               manifest; the index page adjusts them across a grid)
``SMALLCAPS_FIXTURES``         raw source-format samples used by the adapter tests
``SMALLCAPS_OFFLINE``          ``1``/``true``/``yes``/``on``: never download on demand
                               (``sc.data.load`` of a symbol that is in neither the
                               snapshot nor the cache raises instead; the test suite
                               sets it); unset/off: ``load`` pulls missing price series
``SMALLCAPS_STRICT``           ``1``: a notebook section that hits an unexpected error (a
                               bug, not missing data) raises it instead of printing one
                               sentence (``sc.section``); the test suite sets it
``SMALLCAPS_ZYGOTE``           ``0``/``false``/``no``/``off``: a local batch starts every
                               kernel the usual way instead of forking it from one
                               pre-imported process (:mod:`smallcaps.run.zygote`);
                               unset or on: fork (where the platform can)
=============================  ===========================================================

Only these names are recorded in run manifests (:func:`documented`); any other
``SMALLCAPS_*`` variable (a token, say) is never written out.
"""

from __future__ import annotations

import os
from pathlib import Path

SNAPSHOT = "SMALLCAPS_SNAPSHOT"
CACHE = "SMALLCAPS_CACHE"
DEMO = "SMALLCAPS_DEMO"
NOTEBOOKS = "SMALLCAPS_NOTEBOOKS"
WIDGETS = "SMALLCAPS_WIDGETS"
PROVENANCE_LOG = "SMALLCAPS_PROVENANCE_LOG"
PVALUE_LOG = "SMALLCAPS_PVALUE_LOG"
FIXTURES = "SMALLCAPS_FIXTURES"
OFFLINE = "SMALLCAPS_OFFLINE"
STRICT = "SMALLCAPS_STRICT"
ZYGOTE = "SMALLCAPS_ZYGOTE"

DOCUMENTED: tuple[str, ...] = (SNAPSHOT, CACHE, DEMO, NOTEBOOKS, WIDGETS, PROVENANCE_LOG,
                               PVALUE_LOG, FIXTURES, OFFLINE, STRICT, ZYGOTE)

_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"", "0", "false", "no", "off"})


class ConfigError(ValueError):
    """A ``SMALLCAPS_*`` variable holds a value the kit cannot use."""


def _raw(name: str) -> str | None:
    value = os.environ.get(name)
    if value is None or not value.strip():
        return None
    return value.strip()


def flag(name: str) -> bool:
    """Read a yes/no variable: ``1/true/yes/on`` is on, ``0/false/no/off`` or unset is off.

    Raises
    ------
    ConfigError
        For any other text, naming the variable and the accepted values.
    """
    value = (os.environ.get(name) or "").strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ConfigError(f"{name}={value!r}: use 1/true/yes/on or 0/false/no/off")


def path(name: str) -> Path | None:
    """A folder or file variable as a ``Path`` (``~`` expanded), or None when unset."""
    value = _raw(name)
    return Path(value).expanduser() if value else None


def snapshot() -> Path | None:
    """The snapshot folder named by ``SMALLCAPS_SNAPSHOT`` (not checked for existence)."""
    return path(SNAPSHOT)


def cache() -> Path:
    """The cache folder: ``SMALLCAPS_CACHE``, else the platform's user cache folder."""
    explicit = path(CACHE)
    if explicit is not None:
        return explicit
    import platformdirs

    return Path(platformdirs.user_cache_dir("smallcaps", appauthor=False))


def demo() -> bool:
    """Whether synthetic demo data may stand in when nothing real exists."""
    return flag(DEMO)


def notebooks() -> Path | None:
    """The notebooks folder named by ``SMALLCAPS_NOTEBOOKS``, or None for the shipped ones."""
    return path(NOTEBOOKS)


def widgets() -> str | None:
    """``"static"`` or ``"interactive"`` when forced by ``SMALLCAPS_WIDGETS``, else None."""
    value = (_raw(WIDGETS) or "").lower()
    if not value or value == "auto":
        return None
    if value not in ("static", "interactive"):
        raise ConfigError(f"{WIDGETS}={value!r}: use static, interactive or auto")
    return value


def provenance_log() -> Path | None:
    """The file ``load`` appends provenance lines to, when a runner asked for one."""
    return path(PROVENANCE_LOG)


def pvalue_log() -> Path | None:
    """The file ``sc.pvalues.record`` appends p-values to, when a runner asked for one."""
    return path(PVALUE_LOG)


def fixtures() -> Path | None:
    """The folder of raw source-format samples for the adapter tests."""
    return path(FIXTURES)


def offline() -> bool:
    """Whether on-demand downloads are forbidden (``SMALLCAPS_OFFLINE``)."""
    return flag(OFFLINE)


def strict() -> bool:
    """Whether notebook sections raise unexpected errors instead of explaining them."""
    return flag(STRICT)


def zygote() -> bool:
    """Whether a local batch forks its kernels from a pre-imported process (default on)."""
    return _raw(ZYGOTE) is None or flag(ZYGOTE)


def documented() -> dict[str, str]:
    """The documented settings that are set now: the only ones a manifest may record."""
    return {k: os.environ[k] for k in DOCUMENTED if os.environ.get(k)}
