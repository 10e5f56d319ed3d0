"""Run in a child process against a restored portal: prints, as JSON, what a tipster and an
investigator can read there. `python -m tests.operations.restored RECEIPT USERNAME PASSWORD`."""

from __future__ import annotations

import hashlib
import json
import sys


def main(receipt: str, username: str, password: str) -> None:
    import django

    django.setup()
    from portal import vault
    from portal.models import User
    from tips import followup
    from triage import reading

    thread = followup.read_thread(receipt)
    investigator = User.objects.get(username=username)
    unlocked = vault.unlock(investigator, password)
    tip = thread.tip if thread else None
    view = reading.open_tip(tip, unlocked, actor=investigator) if tip else None
    attachments = []
    for row in tip.attachments.order_by("pk") if tip else []:
        name, chunks = reading.attachment_chunks(tip, row, unlocked, actor=investigator)
        attachments.append({"name": name, "sha256": hashlib.sha256(b"".join(chunks)).hexdigest()})
    print(
        json.dumps(
            {
                "messages": [message.body for message in thread.messages] if thread else None,
                "description": view.content["description"] if view else None,
                "attachments": attachments,
                "handoffs": tip.handoffs.count() if tip else 0,
            }
        )
    )


if __name__ == "__main__":
    main(*sys.argv[1:4])
