"""A triage database at scale, for the measurements of staff pages (bench/triage_run.py).

Real tips through the submission action, then synthetic ones by binary COPY up to each size,
with what a real tip brings along (blind-index rows, wrapped keys, chained audit entries).
"""
