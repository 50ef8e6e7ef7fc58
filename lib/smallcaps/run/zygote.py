"""Kernels forked from one pre-imported process (a "zygote") for batches of runs.

Every notebook kernel starts by importing the same things: ipykernel, numpy, pandas,
scipy, statsmodels, matplotlib, numba and the kit (1.5-2.5 s a kernel on a 2-core
machine, measured with ``benchmarks/bench_run_all.py``). In a batch, one process
imports them once and forks a kernel per run: the fork shares the imported modules
copy-on-write and starts in milliseconds.

What a forked kernel shares with the zygote is only what importing does; nothing runs
before the fork but imports. Each kernel then gets the run's own environment (the
zygote's is cleared), working folder, process group, a fresh numpy seed, and the
kernel command jupyter_client asked for (``python -m ipykernel_launcher -f <file>``).
``MPLBACKEND`` is set to the inline backend before matplotlib is imported, as ipykernel
itself sets it in a kernel started without one. Settings a preloaded module reads at
import are the zygote's: it starts with the batch's environment (the runner's plus the
data settings), so only the per-run variables differ, and those the kit reads when
asked (:mod:`smallcaps.config`); ipykernel's parent pid is passed again on the command
line.

The zygote is used only where it cannot change a result: a local batch, a kernelspec
that runs ``ipykernel_launcher`` on the same Python, and POSIX ``fork``. Whenever it
is missing, not ready or refuses, the kernel is launched the usual way. It exits
with the process that started it (its stdin closes) and reaps its children.

The zygote process runs :func:`serve` (see :func:`started`).
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import select
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from .._core.imports import jsonschema_without_iri

__all__ = ["ForkedKernel", "fork_kernel", "forkable", "started"]

# What the notebooks' kernels import (measured over the nine notebooks). pyplot does not
# load its backend on import; the inline backend module (loaded at the first figure) is
# left to the kernel, because it binds to the kernel's shell when it is imported.
PRELOAD = (
    "ipykernel.kernelapp", "ipykernel.ipkernel", "ipykernel_launcher",
    "numpy", "pandas", "scipy.stats", "scipy.optimize",
    # the statsmodels modules the kit imports (statsmodels.api would add its graphics)
    "statsmodels.regression.linear_model", "statsmodels.tsa.api", "statsmodels.tsa.stattools",
    "statsmodels.tsa.ar_model", "statsmodels.tsa.vector_ar.vecm", "statsmodels.stats.multitest",
    "statsmodels.stats.stattools", "statsmodels.tools.tools",
    "statsmodels.tsa.regime_switching.markov_regression", "matplotlib", "matplotlib.pyplot",
    "mplfinance",
    "numba", "bokeh.plotting", "bokeh.embed", "yaml",
    "smallcaps", "smallcaps.breadth", "smallcaps.breadth.kernel", "smallcaps.briefing",
    "smallcaps.charts", "smallcaps.charts.interactive", "smallcaps.claims",
    "smallcaps.data", "smallcaps.params", "smallcaps.regimes", "smallcaps.relative",
    "smallcaps.sections", "smallcaps.sentiment", "smallcaps.stats", "smallcaps.tables",
    "smallcaps.technicals", "smallcaps.technicals._filters",
    "smallcaps.technicals._panel_kernels", "smallcaps.technicals.panel",
    "smallcaps.universe", "smallcaps.widgets",
)
WARM = ("smallcaps.technicals.panel", "smallcaps.breadth")  # each has warm_compiled()
INLINE_BACKEND = "module://matplotlib_inline.backend_inline"
_ENTRY = "import json, sys; from smallcaps.run.zygote import serve; serve(sys.argv[1], json.loads(sys.argv[2]))"
GONE = "exited"  # written beside the socket when the zygote exits before the batch ends
READY_SECONDS = 60.0  # a kernel launch waits at most this long for a zygote still importing


def _parts(kernel_cmd: Sequence[str]) -> tuple[str, list[str], list[str]] | None:
    """``<python> [-X... options] -m ipykernel_launcher -f <file>`` as (python, options,
    kernel arguments), else None."""
    cmd = list(kernel_cmd)
    if "-m" not in cmd:
        return None
    m = cmd.index("-m")
    opts = cmd[1:m]
    if (m < 1 or cmd[m + 1:m + 3] != ["ipykernel_launcher", "-f"] or len(cmd) != m + 4
            or not all(o.startswith("-") for o in opts)):
        return None
    return cmd[0], opts, cmd[m + 2:]


def forkable(kernel_cmd: Sequence[str], python: Sequence[str] | None = None) -> bool:
    """True when ``kernel_cmd`` is ``<python> [options] -m ipykernel_launcher -f <file>``
    (and, with ``python`` given as ``[interpreter, *options]``, runs exactly that): the
    only kernel a zygote may stand in for."""
    parts = _parts(kernel_cmd)
    if not hasattr(os, "fork") or parts is None:
        return False
    if python is None:
        return True
    exe, opts, _ = parts
    with contextlib.suppress(OSError):
        return os.path.samefile(exe, python[0]) and opts == list(python[1:])
    return False


def interpreter(kernel_cmd: Sequence[str]) -> list[str] | None:
    """``[python, *options]`` of a forkable kernel command (what the zygote runs on)."""
    parts = _parts(kernel_cmd)
    return None if parts is None else [parts[0], *parts[1]]


# --------------------------------------------------------------------------- starting side


@contextlib.contextmanager
def started(python: Sequence[str], env: dict[str, str] | None = None) -> Iterator[str | None]:
    """Start a zygote on ``python`` (``[interpreter, *options]``, see :func:`interpreter`);
    yield its socket path (None if it cannot start).

    The zygote imports in the background; :func:`fork_kernel` waits for it. It is
    stopped, and its folder removed, when the block ends.
    """
    if not hasattr(os, "fork"):
        yield None
        return
    folder = tempfile.mkdtemp(prefix="smallcaps-zygote-")
    sock = os.path.join(folder, "zygote.sock")
    child_env = dict(os.environ if env is None else env)
    child_env.pop("MPLBACKEND", None)
    try:
        # "-c", not "-m": the package imports this module, and runpy warns about that
        proc = subprocess.Popen([*python, "-c", _ENTRY, sock, json.dumps(list(python))],
                                stdin=subprocess.PIPE, env=child_env, cwd=folder)
    except OSError:
        os.rmdir(folder)
        yield None
        return
    stopping = threading.Event()

    def watch() -> None:
        # a zygote that exits early (a broken interpreter, a crash, a kill) leaves a mark, so
        # launches stop waiting for it at once and start their kernels the usual way
        proc.wait()
        if not stopping.is_set():
            with contextlib.suppress(OSError):
                Path(folder, GONE).touch()

    threading.Thread(target=watch, daemon=True, name="smallcaps-zygote-watch").start()
    try:
        yield sock
    finally:
        stopping.set()
        with contextlib.suppress(OSError):
            proc.stdin.close()  # type: ignore[union-attr]  # EOF: the zygote exits
        if not os.path.exists(sock):
            proc.kill()  # still importing (a batch that ended early): nothing to wait for
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        for f in Path(folder).iterdir():
            f.unlink(missing_ok=True)
        os.rmdir(folder)


def fork_kernel(sock: str, kernel_cmd: Sequence[str], env: dict[str, str], cwd: str,
                wait: float = READY_SECONDS) -> int:
    """Ask the zygote at ``sock`` for a kernel running ``kernel_cmd``; return its pid.

    Raises
    ------
    OSError
        The zygote did not answer within ``wait`` seconds, has exited, or refused.
    """
    deadline = time.monotonic() + wait
    while True:
        conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            conn.connect(sock)
            break
        except (FileNotFoundError, ConnectionRefusedError):
            conn.close()
            if os.path.exists(os.path.join(os.path.dirname(sock), GONE)):
                raise OSError(f"the kernel zygote at {sock} has exited") from None
            if time.monotonic() > deadline:
                raise OSError(f"no kernel zygote at {sock} after {wait:.0f} s") from None
            time.sleep(0.05)
    with conn:
        conn.settimeout(max(1.0, deadline - time.monotonic()))
        conn.sendall(json.dumps({"argv": list(kernel_cmd), "env": dict(env),
                                 "cwd": str(cwd)}).encode() + b"\n")
        conn.shutdown(socket.SHUT_WR)
        reply = b""
        while chunk := conn.recv(4096):
            reply += chunk
    try:
        pid = int(json.loads(reply)["pid"])
    except (ValueError, KeyError, TypeError):
        raise OSError(f"the kernel zygote refused: {reply[:200]!r}") from None
    return pid


class ForkedKernel:
    """What jupyter_client's local provisioner needs of a ``Popen`` for a kernel that is
    the zygote's child, not ours: poll, wait, signals (the zygote reaps it; its exit
    status is not ours to read, so an exited kernel reports 0)."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                os.kill(self.pid, 0)
            except ProcessLookupError:
                self.returncode = 0
            except PermissionError:  # pragma: no cover  (a pid reused by another user)
                self.returncode = 0
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        end = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if end is not None and time.monotonic() > end:
                raise subprocess.TimeoutExpired(f"kernel {self.pid}", timeout or 0.0)
            time.sleep(0.02)
        return self.returncode or 0

    def send_signal(self, signum: int) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signum)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


# --------------------------------------------------------------------------- zygote side


def _preload() -> None:
    os.environ["MPLBACKEND"] = INLINE_BACKEND  # what ipykernel sets before matplotlib loads
    jsonschema_without_iri()  # as in the runner: without the IRI checker's 1.5-3.5 s import
    for name in PRELOAD:
        try:
            importlib.import_module(name)
        except Exception:  # an optional module: a kernel that needs it fails as it would anyway
            continue
    _warm_compiled()


def _warm_compiled() -> None:
    """Load the kit's compiled (numba) kernels, as a kernel would on first use.

    A kernel pays about a second the first time it calls a compiled function in its
    process (numba's target set-up and its on-disk cache), even with nothing to
    compile. Each module of :data:`WARM` runs its compiled paths once on a tiny
    synthetic panel (results dropped; 0.3-0.8 s in all), so every forked kernel starts
    with those functions loaded, with the argument types the real calls use.
    """
    for name in WARM:
        try:
            importlib.import_module(name).warm_compiled()
        except Exception:  # a warm-up only: a kernel that needs these pays the load itself
            continue


def _become_kernel(request: dict[str, Any]) -> None:
    """In the forked child: take the run's environment and folder, then run the kernel."""
    code = 1
    try:
        os.setsid()  # its own process group: interrupts and kills reach it and its children
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        os.environ.clear()
        os.environ.update(request["env"])
        os.environ["JPY_PARENT_PID"] = str(os.getppid())  # the kernel ends with the zygote
        os.chdir(request["cwd"])
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.close(null)
        if "numpy" in sys.modules:
            sys.modules["numpy"].random.seed()  # not the zygote's state in every kernel
        launcher = importlib.import_module("ipykernel_launcher")
        # ipykernel read JPY_PARENT_PID when the zygote imported it: say it again, so the
        # kernel polls its parent (and stays quiet about connection files) as launched ones do
        sys.argv = [str(launcher.__file__), *request["kernel_args"],
                    f"--IPKernelApp.parent_handle={os.getppid()}"]
        import runpy

        runpy.run_module("ipykernel_launcher", run_name="__main__", alter_sys=True)
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)


def serve(sock: str, own: Sequence[str]) -> None:
    """The zygote: preload, then fork a kernel for each request until stdin closes.

    ``own`` is the ``[interpreter, *options]`` it was started with: it forks only
    kernels that would run on exactly that."""
    parent = os.getppid()
    _preload()
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # exited kernels are reaped by the system
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(sock)
    server.listen(16)
    watch = [server, sys.stdin]
    while True:
        ready, _, _ = select.select(watch, [], [], 1.0)
        if os.getppid() != parent:
            break
        if sys.stdin in ready and not os.read(sys.stdin.fileno(), 1024):
            break  # the starter closed our stdin (or died)
        if server not in ready:
            continue
        conn, _ = server.accept()
        with conn:
            conn.settimeout(10)
            data = b""
            with contextlib.suppress(OSError):
                while chunk := conn.recv(65536):
                    data += chunk
            try:
                request = json.loads(data)
                parts = _parts(request["argv"])
                if parts is None or not forkable(request["argv"], own):
                    raise ValueError("not an ipykernel_launcher command on this interpreter")
                request["kernel_args"] = parts[2]
            except (ValueError, KeyError, TypeError) as exc:
                conn.sendall(json.dumps({"error": str(exc)}).encode())
                continue
            pid = os.fork()
            if pid == 0:
                server.close()
                conn.close()
                _become_kernel(request)
            conn.sendall(json.dumps({"pid": pid}).encode())
    server.close()
    # nothing left to save: skip the interpreter's teardown of the thousands of modules the
    # preload imported (about a second on a 2-core machine), which the batch would wait for
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)
