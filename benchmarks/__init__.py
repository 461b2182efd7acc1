"""Benchmarks (``make bench``): speed and accuracy figures measured on this machine, never asserted in tests."""
