"""Timing helpers shared by the benchmark scripts.

Each benchmark compares a cnnkit op with its PyTorch counterpart in the same
process.  The two callables are timed *interleaved* (ours, theirs, ours, theirs,
...) so that a noisy neighbour on a shared machine slows both down alike, and
the fastest of the repeats is reported (on a busy machine the fastest round is
the one least disturbed).  :func:`set_threads` gives both sides the same number
of threads (PyTorch's intra-op threads, numpy's BLAS through threadpoolctl).

Typical use::

    from _timing import load_torch, compare, print_table

    torch = load_torch()
    rows = []
    rows.append(("conv2d lenet fwd", *compare(lambda: ours(x), lambda: torch_op(xt))))
    print_table(rows, title="conv")
"""

from __future__ import annotations

import argparse
import contextlib
import math
import time
from typing import Callable, Optional, Sequence

TORCH_THREADS = 2

__all__ = ["load_torch", "set_threads", "thread_counts", "time_once", "calibrate", "compare",
           "print_table", "print_thread_tables", "print_loop_speedups", "bench_arguments"]


def load_torch(threads: int = TORCH_THREADS):
    """Import torch with ``threads`` intra-op threads, or print why not and return None."""
    try:
        import torch
    except ImportError:
        print("torch is not installed: the torch columns are skipped "
              "(pip install torch==2.13.0 to compare).")
        return None
    torch.set_num_threads(threads)
    return torch


def set_threads(torch, threads: int) -> None:
    """Let PyTorch (if loaded) and numpy's BLAS (if threadpoolctl is installed) use ``threads``."""
    if torch is not None:
        torch.set_num_threads(threads)
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        print("threadpoolctl is not installed: numpy's BLAS keeps its own thread count")
        return
    threadpool_limits(threads)


def thread_counts(text: str) -> list[int]:
    """``"1,2"`` -> ``[1, 2]`` (the ``--threads`` option of the benchmarks)."""
    try:
        counts = [int(part) for part in text.split(",")]
    except ValueError:
        counts = []
    if not counts or min(counts) < 1:
        raise argparse.ArgumentTypeError(f"expected positive integers separated by commas, got {text!r}")
    return counts


def time_once(fn: Callable[[], object], number: int) -> float:
    """Seconds per call of ``fn``, averaged over ``number`` back-to-back calls."""
    start = time.perf_counter()
    for _ in range(number):
        fn()
    return (time.perf_counter() - start) / number


def calibrate(fn: Callable[[], object], min_seconds: float = 0.05) -> int:
    """How many calls of ``fn`` take at least ``min_seconds`` (after one warm-up call)."""
    fn()
    number = 1
    while True:
        elapsed = time_once(fn, number) * number
        if elapsed >= min_seconds or number >= 1 << 16:
            return number
        number *= 2 if elapsed <= 0 else max(2, min(10, int(min_seconds / elapsed) + 1))


def compare(ours: Callable[[], object], theirs: Optional[Callable[[], object]] = None,
            repeats: int = 7, min_seconds: float = 0.05) -> tuple[float, Optional[float]]:
    """Fastest seconds per call of ``ours`` and of ``theirs`` over the rounds, timed interleaved.

    Parameters
    ----------
    ours, theirs : callable with no arguments
        ``theirs`` (the PyTorch version) may be None: then only ``ours`` is timed.
    repeats : int
        Number of interleaved rounds; the fastest round of each side is returned.
    min_seconds : float
        Each round calls a function enough times to last about this long.

    Returns
    -------
    (float, float or None)
        Seconds per call of ``ours`` and of ``theirs``.
    """
    n_ours = calibrate(ours, min_seconds)
    n_theirs = calibrate(theirs, min_seconds) if theirs is not None else 0
    ours_times, theirs_times = [], []
    for _ in range(repeats):
        ours_times.append(time_once(ours, n_ours))
        if theirs is not None:
            theirs_times.append(time_once(theirs, n_theirs))
    return min(ours_times), (min(theirs_times) if theirs is not None else None)


def _format_seconds(seconds: Optional[float]) -> str:
    if seconds is None:
        return "-"
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds * 1e6:.1f} us"


def print_table(rows: Sequence[tuple[str, float, Optional[float]]], title: str = "",
                ours_label: str = "cnnkit", theirs_label: str = "torch") -> Optional[float]:
    """Print one line per op with both times and their ratio, then the geometric mean.

    Parameters
    ----------
    rows : sequence of (name, ours_seconds, theirs_seconds or None)
    title : str
        Printed above the table.

    Returns
    -------
    float or None
        Geometric mean of ``ours / theirs`` over the rows that have both times.
    """
    width = max([len(name) for name, _, _ in rows] + [len("op")])
    if title:
        print(title)
    header = f"{'op':<{width}}  {ours_label:>10}  {theirs_label:>10}  {'ratio':>7}"
    print(header)
    print("-" * len(header))
    ratios = []
    for name, ours, theirs in rows:
        ratio = ours / theirs if theirs else None
        if ratio is not None:
            ratios.append(ratio)
        ratio_text = f"{ratio:6.2f}x" if ratio is not None else "-"
        print(f"{name:<{width}}  {_format_seconds(ours):>10}  "
              f"{_format_seconds(theirs):>10}  {ratio_text:>7}")
    if not ratios:
        return None
    geomean = math.exp(sum(math.log(r) for r in ratios) / len(ratios))
    print("-" * len(header))
    print(f"{'geometric mean':<{width}}  {'':>10}  {'':>10}  {geomean:6.2f}x"
          f"   (worst {max(ratios):.2f}x)")
    return geomean


def print_loop_speedups(pairs: Sequence[tuple[str, Callable[[], object], Callable[[], object]]],
                        title: str) -> None:
    """Time each loop version once against its fast version and print the speed-up.

    ``pairs`` holds ``(name, loops, fast)`` with no-argument callables. Both run on one
    thread (BLAS limited through threadpoolctl when it is installed): the loops cannot
    use a second core, and on a busy machine a second BLAS thread mostly waits for one.
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        print("(threadpoolctl missing: the fast versions may use several BLAS threads)")
        threadpool_limits = None
    print(f"\n{title} (one thread each)")
    width = max(len(name) for name, _, _ in pairs)
    for name, loops, fast in pairs:
        with threadpool_limits(1) if threadpool_limits else contextlib.nullcontext():
            start = time.perf_counter()
            loops()
            loop_seconds = time.perf_counter() - start
            fast_seconds, _ = compare(fast, None, repeats=5)
        print(f"  {name:<{width}} loops {loop_seconds:7.2f} s   fast {fast_seconds * 1e3:7.2f} ms   "
              f"speed-up {loop_seconds / fast_seconds:7.0f}x")


def bench_arguments(description: str, argv=None) -> argparse.Namespace:
    """The options every bench script takes: ``--quick``, ``--no-loops``, ``--threads``.

    The result also has ``repeats`` (3 with ``--quick``, else 7).
    """
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--quick", action="store_true", help="3 repeats instead of 7")
    parser.add_argument("--no-loops", action="store_true", help="skip the loop-version table")
    parser.add_argument("--threads", type=thread_counts, default=[1, 2],
                        help="comma-separated thread counts, one table each, for torch and numpy's "
                             "BLAS alike (default 1,2; 1 gives steadier numbers on a busy machine)")
    args = parser.parse_args(argv)
    args.repeats = 3 if args.quick else 7
    return args


def print_thread_tables(torch, thread_counts: Sequence[int], repeats: int,
                        measure: Callable[[], list]) -> None:
    """One table per thread count: both sides get ``threads`` threads, then ``measure()`` gives the rows."""
    import os

    for threads in thread_counts:
        set_threads(torch, threads)
        rows = measure()
        print()
        print_table(rows, title=f"float32, fastest of {repeats} rounds per call ({threads} "
                                f"thread{'s' if threads > 1 else ''} each), load average "
                                f"{os.getloadavg()[0]:.1f}")
