"""Measuring the product: gold-set evals, the external benchmark runner, speed benchmarks."""
