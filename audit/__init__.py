"""The tamper-evident audit log. The rest of the code needs two names from it:

    from audit import Action, record
    record(Action.TIP_CLAIMED, actor=request.user, target=tip)

`audit.record` imports no models at import time, so this package stays importable while Django
loads its apps.
"""

from audit.events import Action
from audit.record import record

__all__ = ["Action", "record"]
