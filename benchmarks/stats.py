"""Figures of a list of timings, and the goal lines `make bench` ends with."""

import statistics


def summary(times):
    """(min, median, p95) of milliseconds."""
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return ordered[0], statistics.median(ordered), p95


def line(name, times, extra=""):
    low, median, p95 = summary(times)
    return (f"  {name:<44} min {low:7.1f}  median {median:7.1f}  p95 {p95:7.1f} ms"
            f"  (n={len(times)}){extra}")


class Goals:
    """Collects `goal <name>: <measured> (target <target>) PASS|FAIL` lines."""

    def __init__(self):
        self.lines = []

    def check(self, name, measured, target, passed):
        self.lines.append(f"goal {name}: {measured} (target {target}) "
                          f"{'PASS' if passed else 'FAIL'}")

    def below(self, name, value, limit, unit="ms"):
        self.check(name, f"{value:.1f} {unit}", f"< {limit} {unit}", value < limit)

    def at_most(self, name, value, limit, unit="x"):
        self.check(name, f"{value:.2f}{unit}", f"<= {limit}{unit}", value <= limit)

    def at_least(self, name, value, limit, unit="%"):
        self.check(name, f"{value:.0f} {unit}", f">= {limit} {unit}", value >= limit)
