"""`portal/roles.py` is the one place that decides what a role may do: nothing else in the
project compares roles, so a new capability or a changed role is one edit, seen by every view,
API endpoint, action, access rule and task at once."""

from __future__ import annotations

import re

from tests.servers import ROOT

# `user.role == …`, `role != …`, `role in (…)`, `role not in …`, and the same in queries:
# `role=Role.X`, `role__in=[Role.X, …]`.
ROLE_COMPARISON = re.compile(
    r"\.?\brole\s*(==|!=|\bin\b|\bnot\s+in\b)\s*[\(\[A-Z]"
    r"|\brole\s*=\s*Role\.[A-Z_]+\s*[,)]"
    r"|\brole__in\s*=\s*[\(\[]\s*Role\."
)
# Code that names roles without deciding anything with them: the table itself, the demo
# accounts it creates, and migrations (history).
EXEMPT = {"portal/roles.py"}
SKIPPED_DIRS = {".venv", "tests", "migrations", "bench", "var", "node_modules", ".git"}


def _project_modules() -> list[str]:
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT)
        if SKIPPED_DIRS & set(relative.parts) or str(relative) in EXEMPT:
            continue
        found.append(str(relative))
    return found


def test_it_finds_no_role_comparison_outside_the_capability_table() -> None:
    offenders = []
    for module in _project_modules():
        for number, line in enumerate((ROOT / module).read_text().splitlines(), start=1):
            if ROLE_COMPARISON.search(line):
                offenders.append(f"{module}:{number}: {line.strip()}")
    assert offenders == [], "ask user.may() or roles_with() instead:\n" + "\n".join(offenders)


TEMPLATE_ROLE_COMPARISON = re.compile(r"\.role\s*(==|!=|\bin\b)")


def test_templates_ask_the_capabilities_not_the_role() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in sorted((ROOT / "templates").rglob("*.html"))
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if TEMPLATE_ROLE_COMPARISON.search(line)
    ]
    assert offenders == [], 'use {% if "capability" in may %}:\n' + "\n".join(offenders)


def test_the_pattern_catches_the_usual_forms() -> None:
    caught = [
        "if user.role == Role.SUPERVISOR:",
        "if acting_user.role not in (Role.INVESTIGATOR, Role.SUPERVISOR):",
        "return user.role in TASK_FORCE",
        "people.filter(role=Role.LIAISON, organization_id=1)",
        "User.objects.filter(role__in=[Role.INVESTIGATOR, Role.SUPERVISOR])",
    ]
    passed = [
        'if user.may("triage.assign"):',
        'User.objects.filter(role__in=roles_with("triage.claim"))',
        '("demo-investigator", Role.INVESTIGATOR, None),',
    ]
    assert all(ROLE_COMPARISON.search(line) for line in caught)
    assert not any(ROLE_COMPARISON.search(line) for line in passed)
