"""Hybrid search: fusion as pure functions (hybrid.py), the ranking over one loaded index
(search.py) and the engine a process holds (engine.py)."""
