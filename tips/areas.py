"""The coarse areas a tipster can pick: a fixed, configurable list, so `area` is safe plaintext.

A free-text location is sealed with the rest of the tip; the area only says which part of the
county, which is what triage needs to route a tip without decrypting it. Operators set their own
list with `TIP_AREAS_FILE`, a JSON list of `{"code": "...", "name": "...", "name_es": "..."}`
(`name_es` optional). The default is the task force's county and its neighbours.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import translation
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

_CODE = re.compile(r"^[a-z0-9_]{1,40}$")


@dataclass(frozen=True)
class Area:
    code: str
    name: str
    name_es: str = ""

    def label(self) -> str:
        if translation.get_language() == "es" and self.name_es:
            return self.name_es
        return self.name


DEFAULT_AREAS: tuple[Area, ...] = (
    Area("kansas_city_ks", "Kansas City, KS"),
    Area("kansas_city_mo", "Kansas City, MO"),
    Area("overland_park", "Overland Park"),
    Area("olathe", "Olathe"),
    Area("lenexa", "Lenexa"),
    Area("shawnee", "Shawnee"),
    Area("independence", "Independence"),
    Area("lees_summit", "Lee's Summit"),
    Area("bonner_springs", "Bonner Springs"),
    Area("i_70_i_35_corridor", "Along I-70 or I-35", "A lo largo de la I-70 o la I-35"),
    Area("elsewhere", "Somewhere else", "En otro lugar"),
)


@cache
def _load(path: str) -> tuple[Area, ...]:
    if not path:
        return DEFAULT_AREAS
    try:
        rows = json.loads(Path(path).read_text(encoding="utf-8"))
        areas = tuple(
            Area(str(row["code"]), str(row["name"]), str(row.get("name_es", ""))) for row in rows
        )
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ImproperlyConfigured(f"TIP_AREAS_FILE {path} is not a list of areas: {exc}") from exc
    bad = [area.code for area in areas if not _CODE.match(area.code)]
    if bad or not areas:
        raise ImproperlyConfigured(f"TIP_AREAS_FILE: codes must be [a-z0-9_], got {bad}")
    return areas


def all_areas() -> tuple[Area, ...]:
    return _load(settings.TIP_AREAS_FILE)


def area_codes() -> frozenset[str]:
    return frozenset(area.code for area in all_areas())


def area_choices() -> list[tuple[str, StrOrPromise]]:
    return [
        ("", _("Not sure, or I would rather not say")),
        *((a.code, a.label()) for a in all_areas()),
    ]
