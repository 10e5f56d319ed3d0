"""The consent statement read to a person before their information goes to a partner.

VAWA and VOCA confidentiality rules let a victim-service provider share personally identifying
information only with the person's informed, written (or, where allowed, reasonably
time-limited) consent, naming what is shared, with whom and for how long. The ledger records
which wording was read (its version), so a later change of wording never rewrites what someone
agreed to.
"""

from __future__ import annotations

CURRENT_VERSION = "2026-11"

STATEMENTS: dict[str, str] = {
    "2026-11": (
        "We would like to tell {organization} about you so they can offer you {services}. "
        "With your permission we will share only: {pieces}. They will use it only to reach you "
        "and help you. You can say no: help does not depend on it, and without your permission "
        "we can still ask them to offer services without saying who you are. You can take your "
        "permission back at any time by telling us or them; they will lose access to what we "
        "shared at once. Your permission ends on {expires} unless you renew it."
    ),
}

# Shown next to every consent question, in the UI and the API documentation.
NOT_CONDITIONED = (
    "Services are never conditioned on consent: without it, an anonymous service request "
    "(no name, no way to reach the person, nothing that identifies them) is still sent."
)


def statement(version: str, *, organization: str, services: str, pieces: str, expires: str) -> str:
    return STATEMENTS[version].format(
        organization=organization, services=services, pieces=pieces, expires=expires
    )
