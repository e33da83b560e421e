"""The test helpers exist once.

``tests/`` and ``tests/browser/`` are packages, so pytest imports ``tests/conftest.py`` as
``tests.conftest`` (for its fixtures) and the test modules' ``from tests.conftest import ...`` get
that same module: one ``_id_counter``. Before, without ``tests/__init__.py``, pytest imported it as
``conftest`` and the modules' imports made a second copy whose counter started at 1 again, so an
applicant made by the ``make_request`` fixture and an ID a test made itself could be the same
person (and ``conftest`` was then replaced by ``tests/browser/conftest.py`` under the same name).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

import tests.conftest as helpers
from tests.conftest import applicant_input, new_national_id
from tests.forms_support import form_values  # noqa: F401  (imported so that it is checked too)

TESTS = Path(__file__).resolve().parent


def _modules_by_file() -> dict[Path, list[str]]:
    found: dict[Path, list[str]] = {}
    for name, module in list(sys.modules.items()):
        file = getattr(module, "__file__", None)
        if file and Path(file).resolve().is_relative_to(TESTS):
            found.setdefault(Path(file).resolve(), []).append(name)
    return found


def test_every_test_module_and_helper_is_imported_once_under_its_package_name() -> None:
    found = _modules_by_file()
    twice = {str(path): names for path, names in found.items() if len(names) > 1}
    assert not twice, f"imported under two names: {twice}"
    for path, (name,) in found.items():
        parts = [p for p in path.relative_to(TESTS).with_suffix("").parts if p != "__init__"]
        assert name == ".".join(["tests", *parts])
    assert found[TESTS / "conftest.py"] == ["tests.conftest"]
    assert found[TESTS / "forms_support.py"] == ["tests.forms_support"]
    assert "conftest" not in sys.modules  # no copy under the bare name


def test_pytest_registered_the_conftest_the_tests_import(request: pytest.FixtureRequest) -> None:
    registered = [p for p in request.config.pluginmanager.get_plugins()
                  if Path(getattr(p, "__file__", None) or "/").resolve() == TESTS / "conftest.py"]
    assert registered and all(p is helpers for p in registered)


def test_helpers_never_hand_out_the_same_national_id() -> None:
    ids = [new_national_id(first) for first in "1358" for _ in range(25)]
    ids += [applicant_input().national_id for _ in range(25)]
    assert len(set(ids)) == len(ids)


@pytest.mark.django_db
def test_ids_from_the_fixture_and_from_the_imported_helper_never_collide(make_request: Any) -> None:
    """The fixture calls new_national_id through pytest's conftest; the test through its import."""
    ids: list[str] = []
    for _ in range(4):
        ids.append(make_request().applicant.national_id)
        ids.append(new_national_id())
        ids.append(applicant_input().national_id)
    assert len(set(ids)) == len(ids), ids
