"""Which kernel a run gets: the kernelspec, its interpreter, and the batch's zygote.

Light on purpose (jupyter_client and the kit's config only): the ``run`` command starts
a batch's :mod:`~smallcaps.run.zygote` with these before it imports the rest of the
runner, so that the zygote's imports overlap the command's own start.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from .. import config
from . import zygote as _zygote

__all__ = ["kernel_name", "kernel_python", "kernel_zygote"]


def kernel_name() -> str:
    """The venv's own kernelspec ("smallcaps", installed by ``make setup``) or "python3"."""
    from jupyter_client.kernelspec import KernelSpecManager

    return "smallcaps" if "smallcaps" in KernelSpecManager().find_kernel_specs() else "python3"


def kernel_python(name: str) -> list[str] | None:
    """``[python, *options]`` of kernelspec ``name`` when it is a plain
    ``ipykernel_launcher`` spec (a kernel a :mod:`~smallcaps.run.zygote` can fork),
    else None."""
    from jupyter_client.kernelspec import NoSuchKernel
    from jupyter_client.manager import KernelManager

    try:
        km = KernelManager(kernel_name=name)
        if km.kernel_spec is None or km.kernel_spec.argv[-1:] != ["{connection_file}"]:
            return None
        # jupyter_client's own command (a bare "python" becomes this interpreter)
        return _zygote.interpreter(km.format_kernel_cmd())
    except (NoSuchKernel, OSError, ValueError):
        return None


@contextlib.contextmanager
def kernel_zygote(kernel: str, env: dict[str, str] | None = None) -> Iterator[str | None]:
    """A :mod:`~smallcaps.run.zygote` for kernels of kernelspec ``kernel``, started with
    ``env`` (default: this process's); yields its socket, or None when the kernelspec
    cannot be forked or ``SMALLCAPS_ZYGOTE`` is off (kernels are then launched).

    The one place that decides whether a kernelspec gets a zygote (batches, the ``run``
    command and the notebook tests call it)."""
    python = kernel_python(kernel) if config.zygote() else None
    if python is None:
        yield None
        return
    with _zygote.started(python, env) as sock:
        yield sock
