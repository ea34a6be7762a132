"""A build's parse + extract on Ray (``taizhang build --ray`` or ``TAIZHANG_BUILD_RAY=1``).

The per-file work is the same function the local worker processes run (``batches.run_per_file``
hands it in); Ray only decides where it runs. ``ray.init`` joins the cluster named by
``RAY_ADDRESS`` when it is set (the same command on a laptop and on a cluster), else starts a
local one with ``Settings.ray_num_cpus`` CPUs. Results come back in input order, with a bounded
number of files in flight, and are written to the registry by this process only, as in a local
build, so a Ray build stores exactly what a serial build stores.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from pipeline.errors import TaizhangError
from pipeline.parallel import WorkerCrash, usable_cpus
from pipeline.settings import Settings

IN_FLIGHT_PER_CPU = 4  # files submitted ahead per CPU: keeps workers busy, bounds memory


def start_ray(settings: Settings) -> int:
    """Join ``RAY_ADDRESS`` or start a local cluster (once per process); returns its CPUs."""
    try:
        import ray
    except ImportError as exc:
        raise TaizhangError("ray", "`--ray` needs the ray package",
                            "install it with `pip install 'taizhang[ray]'`") from exc
    if not ray.is_initialized():
        if os.environ.get("RAY_ADDRESS"):
            ray.init(log_to_driver=False)
        else:
            ray.init(num_cpus=settings.ray_num_cpus or usable_cpus(), include_dashboard=False,
                     log_to_driver=False)
    return int(ray.cluster_resources().get("CPU", 1))


def ray_map_in_order(work: Callable[[Any], Any], items: Sequence[Any], settings: Settings) -> Iterator[Any]:
    """``work(item)`` of each item, in order, computed by Ray tasks; ``WorkerCrash(item)`` for
    an item whose worker died (``work`` itself never raises: it reports failures as values)."""
    if not items:
        return
    import ray

    cpus = start_ray(settings)
    remote = ray.remote(num_cpus=1, max_retries=1)(_call)
    work_ref = ray.put(work)
    pending: deque = deque()
    todo = iter(items)
    for item in todo:
        pending.append(remote.remote(work_ref, item))
        if len(pending) >= cpus * IN_FLIGHT_PER_CPU:
            break
    submitted = deque(items)
    while pending:
        item = submitted.popleft()
        try:
            result = ray.get(pending.popleft())
        except ray.exceptions.RayError:  # the worker died on this file (twice): the batch goes on
            result = WorkerCrash(item)
        nxt = next(todo, None)
        if nxt is not None:
            pending.append(remote.remote(work_ref, nxt))
        yield result


def _call(work: Callable[[Any], Any], item: Any) -> Any:
    return work(item)
