"""Where chunks run: local worker processes (joblib, the default), a Dask cluster or Ray.

Every backend runs the same task, `func(*args)` per chunk: locally and on Dask
through joblib's `Parallel` (Dask as joblib's `dask` backend), on Ray as Ray
tasks. Results come back to this process in whatever order chunks
finish; the runner places them by replication, so the numbers never depend on the
backend. Dask and Ray are optional extras (`pip install -e ".[dask]"`, `".[ray]"`).
"""

from __future__ import annotations

import contextlib
import importlib.util
import warnings
from collections.abc import Iterator

from sim.errors import UserError

BACKENDS = ("local", "dask", "ray")

# loky replaces a worker whose memory grew by 300 MB since it started (its leak guard;
# a worker keeps its last markets and choice models for the next plan) and says so
# with this warning, although no work is lost and the numbers are the same: to a user
# of `sim optimize` it read as something gone wrong ("... or by a memory leak").
warnings.filterwarnings(
    "ignore", message="A worker stopped while some jobs were given to the executor"
)


def check_backend(backend: str, scheduler: str | None) -> None:
    """The options' own mistakes, found before any work starts (a progress bar, a
    choice model): an unknown backend, a scheduler for local processes, a cluster
    backend that is not installed."""
    if backend not in BACKENDS:
        raise UserError(f"--backend: unknown backend {backend!r} (one of {', '.join(BACKENDS)})")
    if backend == "local" and scheduler:
        raise UserError("--scheduler needs --backend dask or ray")
    module = {"dask": "distributed", "ray": "ray"}.get(backend)
    if module and importlib.util.find_spec(module) is None:
        raise _not_installed(backend)


def _not_installed(backend: str) -> UserError:
    name = {"dask": "Dask", "ray": "Ray"}[backend]
    return UserError(
        f'--backend {backend}: {name} is not installed (pip install -e ".[{backend}]")'
    )


@contextlib.contextmanager
def executor(jobs: int, backend: str = "local", scheduler: str | None = None):
    """A function running joblib `delayed` tasks and yielding their results as they
    finish (in any order), on the chosen backend, for as long as the `with` lasts.

    `local`: `jobs` worker processes on this machine (jobs=1 runs in this process).
    `dask`: the cluster whose scheduler listens at `scheduler` (e.g.
    "tcp://10.0.0.5:8786"), or without one a local cluster of `jobs` worker processes.
    `ray`: the Ray cluster at `scheduler` (e.g. "ray://head:10001" or "auto"), or
    without one a local Ray of `jobs` CPUs."""
    check_backend(backend, scheduler)
    if backend == "ray":
        with _ray(scheduler, jobs) as run_on_ray:
            yield run_on_ray
        return
    from joblib import Parallel  # here: `sim validate` and the like need no joblib

    with _backend(backend, scheduler, jobs) as n_jobs:
        yield Parallel(n_jobs=n_jobs, return_as="generator_unordered")


@contextlib.contextmanager
def _backend(backend: str, scheduler: str | None, jobs: int) -> Iterator[int]:
    if backend == "local":
        yield jobs
    else:
        from joblib import parallel_config

        with _dask_client(scheduler, jobs) as workers, parallel_config(backend="dask"):
            yield workers


@contextlib.contextmanager
def _dask_client(scheduler: str | None, jobs: int) -> Iterator[int]:
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise _not_installed("dask") from None
    if scheduler:
        try:
            client = Client(scheduler, timeout="20s")
        except OSError as exc:
            raise UserError(f"--scheduler {scheduler}: cannot reach it ({exc})") from None
        with client:
            yield max(1, sum(client.nthreads().values()))
        return
    with (
        LocalCluster(
            n_workers=jobs, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster),
    ):
        yield jobs


@contextlib.contextmanager
def _ray(address: str | None, jobs: int):
    """Ray's own tasks (its joblib backend cannot yield results as they finish): at most
    two per CPU in flight, results yielded as they come."""
    try:
        import ray
    except ImportError:
        raise _not_installed("ray") from None
    started = not ray.is_initialized()
    if started:
        if address:
            ray.init(address=address, log_to_driver=False)
        else:
            ray.init(num_cpus=jobs, include_dashboard=False, log_to_driver=False)
    window = 2 * max(1, int(ray.cluster_resources().get("CPU", jobs)))

    def run_on_ray(tasks):
        remote = {}
        pending = []
        for func, args, kwargs in tasks:
            if func not in remote:
                remote[func] = ray.remote(func)
            pending.append(remote[func].remote(*args, **kwargs))
            if len(pending) >= window:
                done, pending = ray.wait(pending, num_returns=1)
                yield ray.get(done[0])
        while pending:
            done, pending = ray.wait(pending, num_returns=1)
            yield ray.get(done[0])

    try:
        yield run_on_ray
    finally:
        if started:
            ray.shutdown()
