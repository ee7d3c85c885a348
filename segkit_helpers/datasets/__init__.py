"""Synthetic data sets with known structure, for tests, benchmarks and examples."""
