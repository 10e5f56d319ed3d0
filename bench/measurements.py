"""Which measurements there are: the name given on the command line, and its module."""

MEASUREMENTS = {
    "audit": "bench.audit_log",
    "vault": "bench.vault_costs",
    "submit": "bench.submit",
    "queue": "bench.triage_queue",
    "tip_page": "bench.tip_page",
    "queue_candidates": "bench.queue_candidates",
    "attachments": "bench.attachments",
    "purge": "bench.retention_purge",
    "statistics": "bench.statistics",
}
# Measured together on one loaded triage database (bench/triage_run.py), loaded once.
ON_TRIAGE_DATABASE = ("queue", "tip_page", "queue_candidates")
GROUPS = {"triage": ON_TRIAGE_DATABASE}
