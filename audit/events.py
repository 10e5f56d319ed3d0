"""Every kind of audited event, as a named constant numbered in blocks by area.

The number is what the log stores (in the hashed entry and in the `action` column), so a value
must never be reused or renumbered once released: add new constants at the end of their block.
Labels are for people reading the viewer, in their language (give a new label its Spanish
translation in locale/es); the API speaks the constant names.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Action(models.IntegerChoices):
    # --- 100s: tips (public intake, and every read of tip content) ---------------------------
    TIP_SUBMITTED = 101, _("Tip submitted")
    TIP_VIEWED = 102, _("Tip decrypted and viewed")
    ATTACHMENT_DOWNLOADED = 103, _("Attachment decrypted and downloaded")
    FOLLOW_UP_VIEWED = 104, _("Tipster opened the follow-up page")
    TIPSTER_MESSAGE_ADDED = 105, _("Tipster added information")
    TIP_EXPORTED = 106, _("Tip exported")
    FOLLOW_UP_FAILED = 107, _("Follow-up with a receipt that matches no tip")
    ATTACHMENT_PREVIEWED = 108, _("Attachment image decrypted and previewed")

    # --- 200s: triage -------------------------------------------------------------------------
    TIP_CLAIMED = 201, _("Tip claimed")
    TIP_RELEASED = 202, _("Tip released")
    TIP_ASSIGNED = 203, _("Tip assigned")
    TIP_TRANSITIONED = 204, _("Tip status changed")
    TIP_CATEGORIZED = 205, _("Tip categorized")
    TIP_REPRIORITIZED = 206, _("Tip priority changed")
    NOTE_ADDED = 207, _("Internal note added")
    NOTE_VIEWED = 208, _("Internal notes decrypted and viewed")
    MESSAGE_SENT = 209, _("Message sent to the tipster")
    TIP_LINKED = 210, _("Tips linked")
    TIP_UNLINKED = 211, _("Tips unlinked")
    CONTACT_REVEAL_REQUESTED = 212, _("Contact details reveal requested")
    CONTACT_REVEAL_APPROVED = 213, _("Contact details reveal approved")
    CONTACT_REVEALED = 214, _("Contact details decrypted and viewed")
    REFERRAL_CREATED = 215, _("Referral created")
    MINOR_REPORT_RECORDED = 216, _("Mandatory minor report recorded")
    URGENT_NOTIFIED = 217, _("On-call staff notified of an urgent tip")
    URGENT_ESCALATED = 218, _("Unclaimed urgent tip escalated")
    TIP_PURGED = 219, _("Tip content purged (crypto-shredded)")
    RELATED_VIEWED = 220, _("Related tips viewed")
    MESSAGES_VIEWED = 221, _("Tipster thread decrypted and viewed")
    TIP_REOPENED = 222, _("Tip reopened")
    PURGE_APPROVED = 223, _("Purge approved")
    STATISTICS_VIEWED = 224, _("Statistics viewed")
    TIP_REVIEWED = 225, _("Tip reviewed and validated for retention")
    TIP_HOLD_PLACED = 226, _("Legal hold placed on a tip")
    TIP_HOLD_RELEASED = 227, _("Legal hold released")
    PURGE_WARNED = 228, _("Staff told of an upcoming purge")
    STATISTICS_EXPORTED = 229, _("Statistics exported")
    TIPS_SEARCHED = 230, _("Tips searched by identifier")
    QUEUE_FILTER_SAVED = 231, _("Queue filter saved as a view")
    QUEUE_FILTER_DELETED = 232, _("Saved queue view deleted")

    # --- 300s: victim-service handoffs -----------------------------------------------------
    HANDOFF_CREATED = 301, _("Handoff created")
    HANDOFF_VIEWED = 302, _("Handoff decrypted and viewed")
    HANDOFF_ACCEPTED = 303, _("Handoff accepted")
    HANDOFF_DECLINED = 304, _("Handoff declined")
    HANDOFF_OUTCOME = 305, _("Handoff outcome recorded")
    CONSENT_RECORDED = 306, _("Consent recorded")
    CONSENT_REVOKED = 307, _("Consent revoked")
    HANDOFF_ALERTED = 308, _("Partner alerted of a waiting handoff")
    HANDOFF_CLOSED = 309, _("Handoff closed")
    HANDOFF_CONTACT_ATTEMPT = 310, _("Partner recorded a contact attempt")
    HANDOFF_NOTE_ADDED = 311, _("Partner added a note")
    CONSENT_EXPIRED = 312, _("Consent expired")

    # --- 400s: accounts and authentication ------------------------------------------------
    LOGIN_SUCCEEDED = 401, _("Signed in")
    LOGIN_FAILED = 402, _("Sign-in failed")
    ACCOUNT_LOCKED = 403, _("Account locked after failed sign-ins")
    TOTP_ENROLLED = 404, _("Authenticator app enrolled")
    BACKUP_CODE_USED = 405, _("Backup code used")
    BACKUP_CODES_ISSUED = 406, _("Backup codes issued")
    TOKEN_ISSUED = 407, _("API token issued")
    TOKEN_REVOKED = 408, _("API token revoked")
    LOGGED_OUT = 409, _("Signed out")
    ACCOUNT_CREATED = 410, _("Account created")
    ACCOUNT_DISABLED = 411, _("Account disabled")
    ACCOUNT_ENABLED = 412, _("Account enabled")
    PASSWORD_CHANGED = 413, _("Password changed")
    TWO_FACTOR_RESET = 414, _("Second factor reset")
    INVITATION_SENT = 415, _("Invitation sent")
    INVITATION_ACCEPTED = 416, _("Invitation accepted")
    ROLE_CHANGED = 417, _("Role changed")
    ACCOUNT_UPDATED = 419, _("Account details updated")
    SESSION_EXPIRED = 418, _("Session expired")

    # --- 500s: the vault and its keys ------------------------------------------------------
    VAULT_INITIALIZED = 501, _("Vault initialized")
    DESK_CREATED = 502, _("Desk created")
    DESK_GRANTED = 503, _("Desk access granted")
    DESK_REVOKED = 504, _("Desk access revoked")
    DESK_KEY_ROTATED = 505, _("Desk key rotated")
    PERSONAL_KEY_CREATED = 506, _("Personal key created")
    PERSONAL_KEY_REWRAPPED = 507, _("Personal key re-wrapped")
    RECOVERY_KEY_USED = 508, _("Recovery key used")

    # --- 600s: the audit log itself ---------------------------------------------------------
    AUDIT_VIEWED = 601, _("Audit log viewed")
    AUDIT_VERIFIED = 602, _("Audit log verified")
    AUDIT_CHECKPOINT = 603, _("Audit checkpoint signed")
    AUDIT_VERIFICATION_FAILED = 604, _("Scheduled audit verification found a problem")
    AUDIT_EXPORTED = 605, _("Audit log exported")

    # --- 700s: system ---------------------------------------------------------------------------
    ORGANIZATION_CREATED = 701, _("Partner organization created")
    ORGANIZATION_UPDATED = 702, _("Partner organization updated")
    RETENTION_PURGE_RUN = 703, _("Retention purge ran")
    DEMO_DATA_LOADED = 704, _("Demo data loaded")

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
