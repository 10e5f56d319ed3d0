"""Every kind of audited event, as a named constant numbered in blocks by area.

The number is what the log stores (in the hashed entry and in the `action` column), so a value
must never be reused or renumbered once released: add new constants at the end of their block.
Labels are for people reading the viewer; the API speaks the constant names.
"""

from __future__ import annotations

from django.db import models


class Action(models.IntegerChoices):
    # --- 100s: tips (public intake, and every read of tip content) ---------------------------
    TIP_SUBMITTED = 101, "Tip submitted"
    TIP_VIEWED = 102, "Tip decrypted and viewed"
    ATTACHMENT_DOWNLOADED = 103, "Attachment decrypted and downloaded"
    FOLLOW_UP_VIEWED = 104, "Tipster opened the follow-up page"
    TIPSTER_MESSAGE_ADDED = 105, "Tipster added information"
    TIP_EXPORTED = 106, "Tip exported"
    FOLLOW_UP_FAILED = 107, "Follow-up with a receipt that matches no tip"
    ATTACHMENT_PREVIEWED = 108, "Attachment image decrypted and previewed"

    # --- 200s: triage -------------------------------------------------------------------------
    TIP_CLAIMED = 201, "Tip claimed"
    TIP_RELEASED = 202, "Tip released"
    TIP_ASSIGNED = 203, "Tip assigned"
    TIP_TRANSITIONED = 204, "Tip status changed"
    TIP_CATEGORIZED = 205, "Tip categorized"
    TIP_REPRIORITIZED = 206, "Tip priority changed"
    NOTE_ADDED = 207, "Internal note added"
    NOTE_VIEWED = 208, "Internal notes decrypted and viewed"
    MESSAGE_SENT = 209, "Message sent to the tipster"
    TIP_LINKED = 210, "Tips linked"
    TIP_UNLINKED = 211, "Tips unlinked"
    CONTACT_REVEAL_REQUESTED = 212, "Contact details reveal requested"
    CONTACT_REVEAL_APPROVED = 213, "Contact details reveal approved"
    CONTACT_REVEALED = 214, "Contact details decrypted and viewed"
    REFERRAL_CREATED = 215, "Referral created"
    MINOR_REPORT_RECORDED = 216, "Mandatory minor report recorded"
    URGENT_NOTIFIED = 217, "On-call staff notified of an urgent tip"
    URGENT_ESCALATED = 218, "Unclaimed urgent tip escalated"
    TIP_PURGED = 219, "Tip content purged (crypto-shredded)"
    RELATED_VIEWED = 220, "Related tips viewed"
    MESSAGES_VIEWED = 221, "Tipster thread decrypted and viewed"
    TIP_REOPENED = 222, "Tip reopened"
    PURGE_APPROVED = 223, "Purge approved"
    STATISTICS_VIEWED = 224, "Statistics viewed"
    TIP_REVIEWED = 225, "Tip reviewed and validated for retention"
    TIP_HOLD_PLACED = 226, "Legal hold placed on a tip"
    TIP_HOLD_RELEASED = 227, "Legal hold released"
    PURGE_WARNED = 228, "Staff told of an upcoming purge"
    STATISTICS_EXPORTED = 229, "Statistics exported"
    TIPS_SEARCHED = 230, "Tips searched by identifier"
    QUEUE_FILTER_SAVED = 231, "Queue filter saved as a view"
    QUEUE_FILTER_DELETED = 232, "Saved queue view deleted"

    # --- 300s: victim-service handoffs -----------------------------------------------------
    HANDOFF_CREATED = 301, "Handoff created"
    HANDOFF_VIEWED = 302, "Handoff decrypted and viewed"
    HANDOFF_ACCEPTED = 303, "Handoff accepted"
    HANDOFF_DECLINED = 304, "Handoff declined"
    HANDOFF_OUTCOME = 305, "Handoff outcome recorded"
    CONSENT_RECORDED = 306, "Consent recorded"
    CONSENT_REVOKED = 307, "Consent revoked"
    HANDOFF_ALERTED = 308, "Partner alerted of a waiting handoff"
    HANDOFF_CLOSED = 309, "Handoff closed"
    HANDOFF_CONTACT_ATTEMPT = 310, "Partner recorded a contact attempt"
    HANDOFF_NOTE_ADDED = 311, "Partner added a note"
    CONSENT_EXPIRED = 312, "Consent expired"

    # --- 400s: accounts and authentication ------------------------------------------------
    LOGIN_SUCCEEDED = 401, "Signed in"
    LOGIN_FAILED = 402, "Sign-in failed"
    ACCOUNT_LOCKED = 403, "Account locked after failed sign-ins"
    TOTP_ENROLLED = 404, "Authenticator app enrolled"
    BACKUP_CODE_USED = 405, "Backup code used"
    BACKUP_CODES_ISSUED = 406, "Backup codes issued"
    TOKEN_ISSUED = 407, "API token issued"
    TOKEN_REVOKED = 408, "API token revoked"
    LOGGED_OUT = 409, "Signed out"
    ACCOUNT_CREATED = 410, "Account created"
    ACCOUNT_DISABLED = 411, "Account disabled"
    ACCOUNT_ENABLED = 412, "Account enabled"
    PASSWORD_CHANGED = 413, "Password changed"
    TWO_FACTOR_RESET = 414, "Second factor reset"
    INVITATION_SENT = 415, "Invitation sent"
    INVITATION_ACCEPTED = 416, "Invitation accepted"
    ROLE_CHANGED = 417, "Role changed"
    ACCOUNT_UPDATED = 419, "Account details updated"
    SESSION_EXPIRED = 418, "Session expired"

    # --- 500s: the vault and its keys ------------------------------------------------------
    VAULT_INITIALIZED = 501, "Vault initialized"
    DESK_CREATED = 502, "Desk created"
    DESK_GRANTED = 503, "Desk access granted"
    DESK_REVOKED = 504, "Desk access revoked"
    DESK_KEY_ROTATED = 505, "Desk key rotated"
    PERSONAL_KEY_CREATED = 506, "Personal key created"
    PERSONAL_KEY_REWRAPPED = 507, "Personal key re-wrapped"
    RECOVERY_KEY_USED = 508, "Recovery key used"

    # --- 600s: the audit log itself ---------------------------------------------------------
    AUDIT_VIEWED = 601, "Audit log viewed"
    AUDIT_VERIFIED = 602, "Audit log verified"
    AUDIT_CHECKPOINT = 603, "Audit checkpoint signed"
    AUDIT_VERIFICATION_FAILED = 604, "Scheduled audit verification found a problem"
    AUDIT_EXPORTED = 605, "Audit log exported"

    # --- 700s: system ---------------------------------------------------------------------------
    ORGANIZATION_CREATED = 701, "Partner organization created"
    ORGANIZATION_UPDATED = 702, "Partner organization updated"
    RETENTION_PURGE_RUN = 703, "Retention purge ran"
    DEMO_DATA_LOADED = 704, "Demo data loaded"

    @classmethod
    def parse(cls, value: object) -> Action:
        """An action from its constant name (`TIP_CLAIMED`, any case) or its number (`201`).

        Raises ValueError for anything else, so that API filters can answer 400.
        """
        if isinstance(value, cls):
            return value
        if isinstance(value, int) and not isinstance(value, bool):
            return cls(value)
        if isinstance(value, str):
            text = value.strip()
            if text.isdigit():
                return cls(int(text))
            try:
                return cls[text.upper()]
            except KeyError:
                pass
        raise ValueError(f"unknown audit action {value!r}")
