"""Train chapter 07's LeNet on the digits and print the time and the held-out accuracy.

    python benchmarks/bench_training.py                 # seed 0, 8 epochs (the notebook's setting)
    python benchmarks/bench_training.py --seeds 0 1 2 3 4 5 6 7

The acceptance target is held-out accuracy >= 0.95 in under two minutes on 2 cores.
Each run prints the seed, the accuracy after every epoch and the wall-clock seconds of training
(evaluation after each epoch included).
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np


def train_once(seed: int, epochs: int, batch_size: int, lr: float, lr_decay: float) -> tuple[float, float, list]:
    import cnnkit.nn as nn

    data = nn.load_digits_nchw(seed=seed)
    model = nn.lenet_digits(seed=seed)
    start = time.perf_counter()
    history = nn.fit(model, nn.softmax_cross_entropy, nn.Adam(model.parameters(), lr=lr),
                     data.x_train, data.y_train, epochs=epochs, batch_size=batch_size, seed=seed,
                     x_test=data.x_test, y_test=data.y_test, lr_decay=lr_decay, verbose=False)
    return time.perf_counter() - start, history.test_accuracy[-1], history.test_accuracy


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=0.01)
    parser.add_argument("--lr-decay", type=float, default=0.75)
    args = parser.parse_args()
    print(f"LeNet on sklearn digits: {args.epochs} epochs, batch {args.batch_size}, Adam lr {args.lr} x {args.lr_decay} per epoch, "
          f"{os.cpu_count()} CPUs visible")
    results = []
    for seed in args.seeds:
        seconds, final, per_epoch = train_once(seed, args.epochs, args.batch_size, args.lr, args.lr_decay)
        results.append((seconds, final))
        curve = " ".join(f"{a:.3f}" for a in per_epoch)
        print(f"seed {seed}: held-out accuracy {final:.4f} in {seconds:.1f} s   (per epoch: {curve})")
    seconds, accuracies = np.array(results).T
    verdict = "meets" if accuracies.min() >= 0.95 and seconds.max() < 120 else "MISSES"
    print(f"worst accuracy {accuracies.min():.4f}, slowest run {seconds.max():.1f} s: {verdict} "
          "the target (>= 0.95 in < 120 s)")


if __name__ == "__main__":
    main()
