"""Classification throughput: narratives per second on one core.

Target (issue 3, speed): ≥ 2,000 narratives per second on one core. The
evaluation narratives (all three splits: dev, held-out, independent — 508
since issue 15) are repeated to about 20,000 texts and classified in one
process, one thread; the best of three rounds is reported, since a shared
machine only ever makes a round slower.

    .venv/bin/python bench/classify.py [--texts 20000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src"))

from fanzha.cases.classifier import classify
from fanzha.cases.eval_narratives import items

TARGET = 2000  # narratives per second


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    base = [text for _split, _type, text in items("all")]
    texts = (base * (args.texts // len(base) + 1))[: args.texts]
    chars = statistics.mean(len(t) for t in texts)
    for t in base[:50]:  # warm up
        classify(t)

    rates = []
    for _ in range(args.rounds):
        start = time.perf_counter()
        for t in texts:
            classify(t)
        rates.append(len(texts) / (time.perf_counter() - start))
    best = max(rates)
    print(f"classify: {len(texts)} narratives (mean {chars:.0f} characters; {len(base)} distinct), "
          f"{args.rounds} rounds, one core")
    print(f"  rounds: {', '.join(f'{r:,.0f}/s' for r in rates)}")
    print(f"  best:   {best:,.0f} narratives/s = {best / TARGET:.1f}× the {TARGET:,}/s target "
          f"({1e6 / best:.0f} µs per narrative)")


if __name__ == "__main__":
    main()
