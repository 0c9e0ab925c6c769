"""Loaded by Python at start-up when this folder is on PYTHONPATH (the bench puts it there for
the Bridge side only). See bench_equivalence_shim.py for exactly what it changes."""

import bench_equivalence_shim

bench_equivalence_shim.install()
