"""Shared helpers of the benchmark scripts.

Import this module first, before numpy, scipy or scikit-learn: importing it
caps BLAS and OpenMP at one thread per process (environment variables, which
the libraries read when they load, and threadpoolctl for any that were already
loaded). On a 2-core machine, parallelism comes from processes (joblib workers
or the benchmark's own process pool), never from threads inside one process;
nested threading would make the timings measure contention instead of the
optimisers.

It also holds the one shim the scripts need for scikit-optimize (see
:func:`skopt_compat`), the report header (date, command, versions) that
``docs/benchmarks.md`` entries copy, and small printing helpers.
"""

from __future__ import annotations

import os
import sys

_THREAD_VARS = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "NUMEXPR_NUM_THREADS",
    "BLIS_NUM_THREADS",
)
for _var in _THREAD_VARS:
    # Forced, not setdefault: a caller's OMP_NUM_THREADS=2 would silently
    # change what the numbers mean. Child processes inherit these.
    os.environ[_var] = "1"

import datetime  # noqa: E402
import platform  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from importlib import metadata  # noqa: E402

from threadpoolctl import threadpool_limits  # noqa: E402

# Libraries loaded before this module saw the variables too late: limit them.
_GLOBAL_LIMIT = threadpool_limits(limits=1)

HERE = os.path.dirname(os.path.abspath(__file__))
RESULTS_DIR = os.path.join(HERE, "results")

PEERS = ("scikit-learn", "skhpo", "scikit-optimize", "optuna", "optuna-integration")


def version(dist: str) -> str:
    """Installed version of a distribution, or ``"not installed"``."""
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


def header(title: str, dists=PEERS) -> str:
    """Report header: title, date, exact command, machine and versions.

    ``docs/benchmarks.md`` records every result with the command and the date;
    printing them at the top of each run makes a log self-describing.
    """
    import numpy as np
    import scipy

    now = datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    command = " ".join(["python"] + sys.argv)
    versions = ", ".join(f"{d} {version(d)}" for d in dists)
    lines = [
        f"# {title}",
        f"date:     {now}",
        f"command:  {command}",
        f"machine:  {platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, numpy {np.__version__}, "
        f"scipy {scipy.__version__}",
        f"versions: {versions}",
        f"skhpo:    {skhpo_fingerprint()}",
        "threads:  BLAS/OpenMP limited to 1 per process "
        f"({', '.join(_THREAD_VARS[:3])}=1)",
    ]
    return "\n".join(lines)


def skhpo_fingerprint() -> str:
    """skhpo's git commit and a hash of its sources.

    The hash (sha1 of every ``.py`` file of the imported package) ties a
    result to the exact code measured, uncommitted changes included.
    """
    import hashlib
    import subprocess

    import skhpo

    root = os.path.dirname(os.path.abspath(skhpo.__file__))
    digest = hashlib.sha1()
    for folder, dirs, files in sorted(os.walk(root)):
        dirs.sort()
        for name in sorted(files):
            if name.endswith(".py"):
                path = os.path.join(folder, name)
                digest.update(os.path.relpath(path, root).encode())
                with open(path, "rb") as f:
                    digest.update(f.read())
    try:
        commit = (
            subprocess.run(
                ["git", "-C", root, "rev-parse", "--short", "HEAD"],
                capture_output=True,
                text=True,
                timeout=10,
            ).stdout.strip()
            or "no commit"
        )
        dirty = subprocess.run(
            ["git", "-C", root, "status", "--porcelain", "--", "."],
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        commit, dirty = "unknown", ""
    state = f"{commit}{' + uncommitted changes' if dirty else ''}"
    return f"commit {state}; sources sha1 {digest.hexdigest()[:12]}"


def process_pool(n_procs: int):
    """A pool of ``n_procs`` spawned processes for a script's tasks, whose
    workers exit when the script's process ends, however it ends: a
    ``ProcessPoolExecutor``'s workers outlive a driver stopped by a signal,
    and would keep a core busy with a task nobody reads."""
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    return ProcessPoolExecutor(
        n_procs,
        mp_context=get_context("spawn"),
        initializer=_exit_with_parent,
        initargs=(os.getpid(),),
    )


def _exit_with_parent(parent: int) -> None:
    """Pool worker initialiser: exit once ``parent`` is no longer this
    process's parent (a process whose parent ended is adopted by another)."""
    import threading

    def watch():
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def check_single_threaded() -> None:
    """Fail loudly if a BLAS/OpenMP pool in this process has more than one thread."""
    from threadpoolctl import threadpool_info

    wide = [p for p in threadpool_info() if p.get("num_threads", 1) > 1]
    if wide:
        raise RuntimeError(f"thread pools not limited to 1 thread: {wide}")


def skopt_compat() -> None:
    """Import scikit-optimize, with the install hint if it is missing.

    scikit-optimize is unmaintained since 2024; the benchmarks keep every
    compatibility measure for it here, in the scripts, never in
    site-packages. Checked with scikit-optimize 0.10.2, numpy 2.4 and
    scikit-learn 1.9.1 (``skopt.Optimizer`` ask/tell with a GP and gp_hedge,
    and ``skopt.BayesSearchCV`` with ``n_points=1``, ``refit=False``, Real /
    Integer / Categorical dimensions including log-uniform integers and
    boolean categories): no shim is needed and no warning is raised. The
    ``np.int`` breakage of older releases (scikit-optimize issues #1138 and
    #1144) is gone from 0.10.2; the ``bench`` extra requires >= 0.10.

    Two behaviours to keep in mind when reading results: skopt hands numpy
    scalars (``np.int64``, ``np.str_``) to the estimator, which scikit-learn
    accepts; and ``Optimizer.tell`` (not ``ask``) fits the GP and optimises
    the acquisition, so timings must include ``tell``.
    """
    try:
        import skopt  # noqa: F401
    except ImportError as exc:  # pragma: no cover - message only
        raise ImportError(
            "scikit-optimize is needed: pip install '.[bench]' (from the "
            "repository root)"
        ) from exc


def quiet_warnings() -> None:
    """Silence the warnings every candidate would repeat (convergence, experimental)."""
    warnings.filterwarnings("ignore", category=UserWarning)
    warnings.filterwarnings("ignore", category=FutureWarning)
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    warnings.filterwarnings("ignore", category=RuntimeWarning)
    try:
        from sklearn.exceptions import ConvergenceWarning, FitFailedWarning

        warnings.filterwarnings("ignore", category=ConvergenceWarning)
        warnings.filterwarnings("ignore", category=FitFailedWarning)
    except ImportError:  # pragma: no cover
        pass
    try:
        from optuna.exceptions import ExperimentalWarning

        warnings.filterwarnings("ignore", category=ExperimentalWarning)
    except ImportError:
        pass
    # joblib workers get the filters through this environment variable
    os.environ["PYTHONWARNINGS"] = "ignore"


def format_table(rows, headers, floatfmt=".3f") -> str:
    """A plain-text table with right-aligned numbers (no dependency)."""

    def cell(v):
        if isinstance(v, float):
            return format(v, floatfmt)
        return str(v)

    body = [[cell(v) for v in row] for row in rows]
    widths = [
        max(len(str(h)), *(len(r[i]) for r in body)) if body else len(str(h))
        for i, h in enumerate(headers)
    ]
    out = [
        "  ".join(
            str(h).rjust(w) if i else str(h).ljust(w)
            for i, (h, w) in enumerate(zip(headers, widths))
        ),
        "  ".join("-" * w for w in widths),
    ]
    for r in body:
        out.append(
            "  ".join(
                v.rjust(w) if i else v.ljust(w)
                for i, (v, w) in enumerate(zip(r, widths))
            )
        )
    return "\n".join(out)


class Timer:
    """``with Timer() as t: ...`` then ``t.seconds`` (wall clock)."""

    def __enter__(self):
        self._start = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self._start
        return False
