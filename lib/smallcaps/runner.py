"""Compatibility name for :mod:`smallcaps.run` (the runner package); use that instead."""

from __future__ import annotations

from .run import *  # noqa: F403
from .run import __all__  # noqa: F401
