"""deploy/env.example names every setting that settings and the gunicorn configuration read."""

import re

from tests.servers import ROOT

READERS = re.compile(
    r'(?:env_(?:str|bool|int|list|json_object|secret)|os\.environ\.get)\(\s*"([A-Z0-9_]+)"'
)
SECRET = re.compile(r'env_secret\(\s*"([A-Z0-9_]+)"')


def _read(path: str) -> str:
    return (ROOT / path).read_text()


def _listed() -> set[str]:
    names = set()
    for line in _read("deploy/env.example").splitlines():
        match = re.match(r"#? ?([A-Z][A-Z0-9_]*)=", line)
        if match:
            names.add(match.group(1))
    return names


def test_it_lists_every_setting_read_from_the_environment() -> None:
    read = set(READERS.findall(_read("portal/settings.py") + _read("portal/gunicorn_conf.py")))
    secrets = set(SECRET.findall(_read("portal/settings.py")))
    assert len(read) > 60
    expected = {f"{name}_FILE" if name in secrets else name for name in read}
    assert expected - _listed() == set()


def test_it_holds_no_secret_value() -> None:
    secrets = set(SECRET.findall(_read("portal/settings.py")))
    assert len(secrets) == 7
    assert not secrets & _listed(), "secrets come from files (LoadCredential=), never this file"
