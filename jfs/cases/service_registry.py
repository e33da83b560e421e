"""The services the fund offers, one folder each: ``services/<CODE>/service.yaml``.

Each service's definition is in one place: its code, Thai and English names, the short label
in lists, the request-number prefix, whether the 21-working-day standard applies, which
registries are asked about the applicant, its eligibility-criteria folder, its workflow file
and the pydantic model of its details. ``settings.JFS_SERVICES_DIR`` (default
``BASE_DIR/"services"``) points elsewhere for tests. Every problem in every file is reported
at once (``ServiceDefinitionError``; start-up turns it into ``ImproperlyConfigured``).
See docs/services.md.
"""

from __future__ import annotations

import importlib
import importlib.util
import re
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar, overload

import yaml
from django.conf import settings
from django.utils.translation import get_language
from pydantic import BaseModel, ConfigDict

CODE_RE = re.compile(r"^[A-Z][A-Z0-9_]{0,9}$")  # Request.service is a CharField(max_length=10)
PREFIX_RE = re.compile(r"^[A-Z][A-Z0-9]{0,5}$")
KEYS = ("code", "order", "th", "en", "label", "prefix", "standard_applies", "registry_checks", "rules", "workflow", "details")


class ServiceDetails(BaseModel):
    """The base of every service's details model (also ``jfs.cases.details.ServiceDetails``): no
    unknown keys, text trimmed, and ``amount()``, the money asked for (none by default)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    def amount(self) -> Decimal:
        return Decimal(0)


class ServiceDefinitionError(Exception):
    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("service definitions are invalid:\n" + "\n".join(f"  - {p}" for p in problems))


@dataclass(frozen=True)
class Service:
    code: str
    #: where the service comes in lists (SERVICE_CHOICES, reports, the API)
    order: int
    th: str
    en: str
    label_th: str
    label_en: str
    prefix: str
    #: the 21-working-day service standard applies (seed 000: missions 1-3)
    standard_applies: bool
    #: registry check kinds (jfs.exchange.models.KIND_*), in the order the case page shows them
    registry_checks: tuple[str, ...]
    #: folder of eligibility criteria under the rules directory (None: no criteria)
    rules: str | None
    workflow_path: Path
    details: type[ServiceDetails]
    folder: Path

    @property
    def label(self) -> str:
        """The short name in the active language (Thai unless English is active)."""
        return self.label_en if (get_language() or "th").startswith("en") else self.label_th


_registry: dict[str, Service] = {}


def services_dir() -> Path:
    return Path(getattr(settings, "JFS_SERVICES_DIR", settings.BASE_DIR / "services"))


def _load_details(spec: str, folder: Path, code: str) -> type[ServiceDetails]:
    """``module.path:Class``, or ``details.py:Class`` (a file in the service's folder)."""
    where, _, name = spec.partition(":")
    if not where or not name:
        raise ValueError(f"'details' must be 'module:Class' or 'details.py:Class', not {spec!r}")
    if where.endswith(".py"):
        path = (folder / where).resolve()
        if not path.is_file():
            raise ValueError(f"details file {where} not found in {folder}")
        mod_name = f"jfs_services_{code.lower()}_{path.stem}"
        file_spec = importlib.util.spec_from_file_location(mod_name, path)
        if file_spec is None or file_spec.loader is None:
            raise ValueError(f"cannot import {path}")
        module = importlib.util.module_from_spec(file_spec)
        sys.modules[mod_name] = module
        file_spec.loader.exec_module(module)
    else:
        module = importlib.import_module(where)
    model = getattr(module, name, None)
    if not (isinstance(model, type) and issubclass(model, ServiceDetails)):
        raise ValueError(f"{spec} is not a pydantic model subclassing jfs.cases.details.ServiceDetails")
    return model


def _str(data: dict[str, Any], key: str, label: str, problems: list[str]) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        problems.append(f"{label}: '{key}' must be a non-empty text")
        return ""
    return value.strip()


def _read(path: Path, problems: list[str]) -> Service | None:
    folder = path.parent
    label = f"{folder.name}/{path.name}"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        problems.append(f"{label}: {exc}")
        return None
    if not isinstance(data, dict):
        problems.append(f"{label}: must be a mapping of keys to values")
        return None
    before = len(problems)
    problems.extend(f"{label}: '{k}' is missing" for k in KEYS if k not in data)
    problems.extend(f"{label}: unknown key '{k}'" for k in data if k not in KEYS)
    if len(problems) > before:
        return None
    code = _str(data, "code", label, problems)
    if code and not CODE_RE.match(code):
        problems.append(f"{label}: code {code!r} must be capitals, digits or _, at most 10 characters")
    if code and code != folder.name:
        problems.append(f"{label}: the service {code} belongs in the folder {code}/")
    order = data.get("order")
    if not isinstance(order, int) or isinstance(order, bool):
        problems.append(f"{label}: 'order' must be a whole number")
        order = 0
    th, en = _str(data, "th", label, problems), _str(data, "en", label, problems)
    names = data.get("label")
    if not isinstance(names, dict) or not all(isinstance(names.get(k), str) and names[k] for k in ("th", "en")):
        problems.append(f"{label}: 'label' must give 'th' and 'en' texts")
        names = {"th": "", "en": ""}
    prefix = _str(data, "prefix", label, problems)
    if prefix and not PREFIX_RE.match(prefix):
        problems.append(f"{label}: prefix {prefix!r} must be capitals and digits, at most 6")
    standard = data.get("standard_applies")
    if not isinstance(standard, bool):
        problems.append(f"{label}: 'standard_applies' must be true or false")
    checks = data.get("registry_checks")
    if not isinstance(checks, list) or not all(isinstance(c, str) for c in checks):
        problems.append(f"{label}: 'registry_checks' must be a list of check kinds ([] for none)")
        checks = []
    elif len(set(checks)) != len(checks):
        problems.append(f"{label}: 'registry_checks' names a kind twice")
    rules = data.get("rules")
    if rules is not None and not (isinstance(rules, str) and rules):
        problems.append(f"{label}: 'rules' must be a folder name under the rules directory, or null")
        rules = None
    workflow = _str(data, "workflow", label, problems)
    workflow_path = (folder / workflow).resolve()
    if workflow and not workflow_path.is_file():
        problems.append(f"{label}: workflow file {workflow} not found")
    details_spec = _str(data, "details", label, problems)
    details: type[ServiceDetails] | None = None
    if details_spec:
        try:
            details = _load_details(details_spec, folder, code or folder.name)
        except Exception as exc:  # an import error in a service's details.py is reported with the rest
            problems.append(f"{label}: details: {exc}")
    if len(problems) > before or details is None:
        return None
    return Service(
        code=code, order=order, th=th, en=en, label_th=names["th"], label_en=names["en"], prefix=prefix,
        standard_applies=bool(standard), registry_checks=tuple(checks), rules=rules,
        workflow_path=workflow_path, details=details, folder=folder,
    )


def load_dir(directory: Path) -> dict[str, Service]:
    """Every ``<CODE>/service.yaml`` under ``directory``, checked; ``ServiceDefinitionError`` lists every problem."""
    problems: list[str] = []
    result: dict[str, Service] = {}
    paths = sorted(directory.glob("*/service.yaml")) if directory.is_dir() else []
    if not paths:
        raise ServiceDefinitionError([f"no services found in {directory} (expected <CODE>/service.yaml)"])
    for path in paths:
        svc = _read(path, problems)
        if svc is not None:
            result[svc.code] = svc
    result = dict(sorted(result.items(), key=lambda kv: (kv[1].order, kv[0])))
    prefixes: dict[str, str] = {}
    for svc in result.values():
        if svc.prefix in prefixes:
            problems.append(f"{svc.code}: prefix {svc.prefix} is already {prefixes[svc.prefix]}'s")
        prefixes.setdefault(svc.prefix, svc.code)
    if problems:
        raise ServiceDefinitionError(problems)
    return result


def load() -> dict[str, Service]:
    loaded = load_dir(services_dir())
    _registry.clear()
    _registry.update(loaded)
    return _registry


def all_services() -> dict[str, Service]:
    if not _registry:
        load()
    return dict(_registry)


def get(code: str) -> Service:
    """The service ``code``; ``KeyError`` when there is none."""
    if not _registry:
        load()
    return _registry[code]


def exists(code: str) -> bool:
    return code in all_services()


def choices() -> list[tuple[str, str]]:
    """(code, short label in the active language), in the services' order."""
    return [(s.code, s.label) for s in all_services().values()]


T = TypeVar("T")


class ServiceMap(Mapping[str, T]):
    """A read-only view ``code -> attribute`` of the registry, read on each use (never stale)."""

    def __init__(self, attribute: Callable[[Service], T]):
        self._attribute = attribute

    def __getitem__(self, code: str) -> T:
        return self._attribute(get(code))

    def __iter__(self) -> Iterator[str]:
        return iter(all_services())

    def __len__(self) -> int:
        return len(all_services())


class ServiceChoices(Sequence[tuple[str, str]]):
    """``choices()`` as a sequence read on each use: ``for code, label in SERVICE_CHOICES``."""

    @overload
    def __getitem__(self, index: int) -> tuple[str, str]: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[tuple[str, str]]: ...
    def __getitem__(self, index: int | slice) -> tuple[str, str] | Sequence[tuple[str, str]]:
        return choices()[index]

    def __len__(self) -> int:
        return len(all_services())
