"""Benchmarks at scale (not shipped with the product): see bench/README.md."""
