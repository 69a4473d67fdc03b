"""The benchmarks: `python bench/<name>.py` (see each one's docstring)."""
