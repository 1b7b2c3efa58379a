"""Benchmarks: the real bot against a bare python-telegram-bot baseline, side by side in one run.

`python -m bench.run --help`; the figures and how to read them are in docs/PERFORMANCE.md.
"""
