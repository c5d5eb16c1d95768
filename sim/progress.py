"""Progress that advances as work finishes, from worker processes too.

A chunk of replications runs every plan in turn and can take a while, so the
progress bar moves after every plan of every chunk, not only when a chunk
returns. Workers report through `ProgressChannel.report(n)`: in one process
(jobs = 1) that updates the bar directly; across local worker processes it puts
`n` on a `multiprocessing.Manager` queue that a thread of the main process drains
into the bar. Reporting is best effort: a worker that cannot reach the queue
(e.g. on a remote cluster) simply does not report, and the bar catches up when its
chunk returns (`settle`).
"""

from __future__ import annotations

import multiprocessing
import sys
import threading

from tqdm import tqdm


class ProgressChannel:
    """Carries progress from workers to the main process's bar (picklable)."""

    def __init__(self, queue=None):
        self.queue = queue  # None: report in this process through `local`
        self.local = None

    def report(self, n: int) -> None:
        try:
            if self.queue is not None:
                self.queue.put(n)
            elif self.local is not None:
                self.local(n)
        except Exception:  # progress must never cost a result
            self.queue = None

    def __getstate__(self):
        return {"queue": self.queue, "local": None}


class ProgressBar:
    """A tqdm bar of `total` units fed by a `ProgressChannel` (`channel`, None when
    disabled). `settle(done)` sets the count a finished task guarantees, so a report
    lost on the way never leaves the bar behind."""

    def __init__(self, total: int, unit: str, enabled: bool, processes: bool):
        self.bar = tqdm(total=total, unit=unit, file=sys.stderr, disable=not enabled, leave=False)
        self.lock = threading.Lock()
        self.counted = 0
        self.floor = 0
        self.manager = self.thread = None
        self.channel = None
        if not enabled:
            return
        if processes:
            self.manager = multiprocessing.Manager()
            self.channel = ProgressChannel(self.manager.Queue())
            self.thread = threading.Thread(target=self._drain, daemon=True)
            self.thread.start()
        else:
            self.channel = ProgressChannel()
            self.channel.local = self._add

    def _drain(self) -> None:
        while True:
            n = self.channel.queue.get()
            if n is None:
                return
            self._add(n)

    def _add(self, n: int) -> None:
        with self.lock:
            self.counted += n
            self._show()

    def settle(self, done: int) -> None:
        """At least `done` units are finished (the sum of the tasks returned so far)."""
        with self.lock:
            self.floor = done
            self._show()

    def _show(self) -> None:
        shown = min(max(self.counted, self.floor), self.bar.total or 0)
        if shown > self.bar.n:
            self.bar.update(shown - self.bar.n)

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, *exc) -> None:
        if self.thread is not None:
            try:
                self.channel.queue.put(None)
                self.thread.join(timeout=5)
            except Exception:  # closing progress must not mask an error
                pass
        if self.manager is not None:
            self.manager.shutdown()
        self.bar.close()
