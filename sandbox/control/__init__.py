"""The control API under ``/_sandbox/`` (documented in the package docstring of ``sandbox``):
what tests, the demo and benchmarks use to set up and inspect the world. ``routes.py`` lists
every route.
"""
