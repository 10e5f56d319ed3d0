"""Who may read the audit log: verified staff whose role has `audit.view` (supervisors).

The shared staff rule decides it (signed in, second factor verified, role allows), for the
page and the API alike.
"""

from __future__ import annotations

from portal.accounts.access import staff_required

CAPABILITY = "audit.view"

audit_viewer_required = staff_required(CAPABILITY)
