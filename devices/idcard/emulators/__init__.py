"""Emulators of identity hardware, ours: used by the tests, the benchmark and the demo."""
