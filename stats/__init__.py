"""Statistics: counts of tips, triage service levels, outcomes and handoffs, from daily roll-ups.

The package is `stats`, not `statistics`: a top-level `statistics` package would shadow the
standard library module Django's SQLite backend imports.
"""
