"""synack's protocol engine: sans-I/O TCP (and later TLS), the referee and the level model.

Nothing in this package imports Textual; tests/engine/test_layering.py proves it.
"""
