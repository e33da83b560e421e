"""The English catalogue is complete, compiled, and covers every string marked for translation.

Thai is the source language (the msgids); ``locale/en/LC_MESSAGES/django.po`` holds the
English. Production machines do not run msgfmt, so the compiled ``django.mo`` is kept in
the repository and must say exactly what the ``.po`` says.

To update after changing texts:
    .venv/bin/python manage.py makemessages -l en --add-location=file -i .venv -i var -i bench -i tests -i docs \
        -i scripts -i "*.egg-info" -i node_modules
    (translate the new empty msgstr entries, remove any "fuzzy" flags)
    .venv/bin/python manage.py compilemessages -l en -i .venv
"""

from __future__ import annotations

import ast
import gettext
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

ROOT = Path(settings.BASE_DIR)
PO = ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
#: what makemessages skips: data, tools, tests and documentation (none of them shown to users)
IGNORED = ("var", "bench", "tests", "docs", "scripts", "*.egg-info", "node_modules")


@dataclass
class Entry:
    msgctxt: str = ""
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: str = ""
    msgstr_plural: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False
    line: int = 0


def parse_po(path: Path) -> list[Entry]:
    """A small reader for the .po format makemessages writes (enough for these checks)."""
    entries: list[Entry] = []
    cur = Entry()
    target: tuple[str, int | None] | None = None

    def flush() -> None:
        nonlocal cur
        if cur.msgid or cur.msgstr or cur.msgstr_plural:
            entries.append(cur)
        cur = Entry()

    for n, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if line.startswith("#~"):
            if not cur.obsolete:
                flush()
                cur.obsolete = True
            continue
        if not line:
            flush()
            target = None
            continue
        if line.startswith("#,"):
            cur.flags |= {f.strip() for f in line[2:].split(",")}
            continue
        if line.startswith("#"):
            continue
        keyword, _, rest = line.partition(" ")
        if keyword.startswith('"'):
            value, keyword = ast.literal_eval(line), None  # type: ignore[assignment]  # a continued string
        else:
            value = ast.literal_eval(rest)
            if cur.line == 0:
                cur.line = n
        if keyword == "msgctxt":  # a context (pgettext; the PDF footer's "หน้า X จาก Y")
            target = ("msgctxt", None)
        elif keyword == "msgid":
            target = ("msgid", None)
        elif keyword == "msgid_plural":
            target = ("msgid_plural", None)
        elif keyword == "msgstr":
            target = ("msgstr", None)
        elif keyword and keyword.startswith("msgstr["):
            target = ("msgstr_plural", int(keyword[7:-1]))
        elif keyword is not None:
            raise AssertionError(f"{path}:{n}: cannot read {raw!r}")
        assert target is not None, f"{path}:{n}: text outside an entry"
        name, index = target
        if name == "msgstr_plural":
            assert index is not None
            cur.msgstr_plural[index] = cur.msgstr_plural.get(index, "") + value
        elif name == "msgid_plural":
            cur.msgid_plural = (cur.msgid_plural or "") + value
        else:
            setattr(cur, name, getattr(cur, name) + value)
    flush()
    return entries


def messages(path: Path) -> list[Entry]:
    return [e for e in parse_po(path) if e.msgid and not e.obsolete]


def test_catalogue_header_is_english_with_two_plural_forms():
    header = next(e for e in parse_po(PO) if e.msgid == "")
    assert "fuzzy" not in header.flags
    assert "Language: en\n" in header.msgstr
    assert "Content-Type: text/plain; charset=UTF-8\n" in header.msgstr
    assert "Plural-Forms: nplurals=2; plural=(n != 1);\n" in header.msgstr


def test_every_message_has_an_english_translation_and_none_is_fuzzy():
    entries = messages(PO)
    assert len(entries) > 250, "the catalogue looks truncated"
    fuzzy = [f"line {e.line}: {e.msgid!r}" for e in entries if "fuzzy" in e.flags]
    untranslated = [
        f"line {e.line}: {e.msgid!r}" for e in entries
        if (not e.msgstr_plural[0] or not e.msgstr_plural[1] if e.msgid_plural else not e.msgstr.strip())
    ]
    assert not fuzzy, "fuzzy entries (check the translation, then remove the flag):\n" + "\n".join(fuzzy)
    assert not untranslated, "entries without English:\n" + "\n".join(untranslated)


def test_translations_keep_the_placeholders_of_the_thai_text():
    import re

    placeholder = re.compile(r"%\(\w+\)[sd]|%[sd]")
    wrong = []
    for e in messages(PO):
        wanted = sorted(placeholder.findall(e.msgid))
        for text in ([e.msgstr] if not e.msgid_plural else list(e.msgstr_plural.values())):
            if sorted(placeholder.findall(text)) != wanted:
                wrong.append(f"line {e.line}: {e.msgid!r} -> {text!r}")
    assert not wrong, "placeholders differ:\n" + "\n".join(wrong)


def test_translations_are_english_not_thai():
    thai = [f"line {e.line}: {e.msgstr!r}" for e in messages(PO)
            if any("\u0e00" <= ch <= "\u0e7f" for ch in e.msgstr + "".join(e.msgstr_plural.values()))]
    assert not thai, "English text still contains Thai:\n" + "\n".join(thai)


def test_compiled_mo_says_exactly_what_the_po_says():
    assert MO.exists(), f"{MO} is missing: run compilemessages and commit it"
    with MO.open("rb") as fh:
        compiled = gettext.GNUTranslations(fh)
    catalog = compiled._catalog  # type: ignore[attr-defined]
    stale = []
    expected_keys = 1  # the header
    for e in messages(PO):
        if e.msgid_plural:
            for i in (0, 1):
                expected_keys += 1
                if catalog.get((e.msgid, i)) != e.msgstr_plural[i]:
                    stale.append(e.msgid)
        else:
            expected_keys += 1
            key = f"{e.msgctxt}\x04{e.msgid}" if e.msgctxt else e.msgid
            if catalog.get(key) != e.msgstr:
                stale.append(e.msgid)
    assert not stale, "django.mo is out of date (run compilemessages):\n" + "\n".join(map(repr, stale[:20]))
    assert len(catalog) == expected_keys, (
        f"django.mo has {len(catalog)} messages, the .po {expected_keys}: run compilemessages"
    )


def test_django_serves_the_english_catalogue():
    from django.utils.translation import gettext, ngettext

    with translation.override("en"):
        assert gettext("งานของฉัน") == "My work"
        assert ngettext("ทั้งหมด %(n)s คำขอ", "ทั้งหมด %(n)s คำขอ", 2) % {"n": 2} == "2 requests in all"
        assert ngettext("ทั้งหมด %(n)s คำขอ", "ทั้งหมด %(n)s คำขอ", 1) % {"n": 1} == "1 request in all"
    with translation.override("th"):
        assert gettext("งานของฉัน") == "งานของฉัน"


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext (xgettext) is not installed")
def test_every_string_marked_for_translation_is_in_the_catalogue(tmp_path):
    """makemessages, run on a scratch copy, finds no msgid the committed catalogue lacks."""
    work = tmp_path / "project"
    work.mkdir()
    # settings.py is copied so that BASE_DIR (and LOCALE_PATHS) point at the scratch copy
    shutil.copytree(ROOT / "config", work / "config")
    for entry in ROOT.iterdir():
        if entry.name not in {"config", "locale"} and not entry.name.startswith("."):
            (work / entry.name).symlink_to(entry)
    (work / "locale" / "en" / "LC_MESSAGES").mkdir(parents=True)
    shutil.copy(PO, work / "locale" / "en" / "LC_MESSAGES" / "django.po")
    env = {**os.environ, "JFS_TESTING": "1", "JFS_DATA_DIR": str(tmp_path / "data"), "DJANGO_SETTINGS_MODULE": "config.settings"}
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "en", "--symlinks", "--add-location=file",
         *[arg for name in IGNORED for arg in ("-i", name)]],
        cwd=work, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    fresh = {e.msgid: e for e in messages(work / "locale" / "en" / "LC_MESSAGES" / "django.po")}
    committed = {e.msgid for e in messages(PO)}
    new = sorted(set(fresh) - committed)
    assert not new, (
        "texts marked for translation but missing from locale/en/LC_MESSAGES/django.po "
        "(run makemessages -l en, translate them, compilemessages):\n" + "\n".join(map(repr, new))
    )


@pytest.mark.django_db
def test_pages_are_thai_even_when_the_browser_asks_for_english(client):
    resp = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert resp.headers["Content-Language"] == "th"
    assert 'lang="th"' in resp.content.decode()


@pytest.mark.django_db
def test_the_language_switch_cookie_chooses_english(client):
    client.cookies["django_language"] = "en"
    resp = client.get("/accounts/login/")
    assert resp.headers["Content-Language"] == "en"
    assert 'lang="en"' in resp.content.decode()
