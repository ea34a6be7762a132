"""Benchmarks: throughput, latency, memory and scaling, written to a results file."""
