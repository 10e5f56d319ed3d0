"""Strong signals in a tip's free text, found in memory before the text is sealed.

Only the codes leave this module: the matched words are never logged or stored, so a signal
tells an investigator where to look first without copying the tip's text outside its seal.
The list of signals and their points is in tips/priority_table.py.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import cache

from tips.priority_table import SIGNALS


def _normalized(text: str) -> str:
    """Lower case, accents removed ("están" -> "estan"), curly apostrophes made straight."""
    decomposed = unicodedata.normalize("NFKD", text.replace("\u2019", "'").casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


@cache
def _compiled() -> tuple[tuple[str, re.Pattern[str]], ...]:
    return tuple((signal.code, re.compile("|".join(signal.patterns))) for signal in SIGNALS)


def strong_signals(texts: Iterable[str]) -> frozenset[str]:
    """The codes of the signals named anywhere in `texts` (English or Spanish)."""
    joined = _normalized("\n".join(texts))
    return frozenset(code for code, pattern in _compiled() if pattern.search(joined))
