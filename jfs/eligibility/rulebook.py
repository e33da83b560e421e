"""The process-wide, validated rule book (``rules/`` at the repository root by default).

``ELIGIBILITY_RULES_DIR`` in settings points elsewhere (tests, a data steward's checkout).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from django.conf import settings

from jfs.cases import service_registry
from jfslib.eligibility import Evaluation, RuleBook, Ruleset, evaluate, load_rulebook

_book: list[RuleBook] = []


def rules_dir() -> Path:
    return Path(getattr(settings, "ELIGIBILITY_RULES_DIR", settings.BASE_DIR / "rules"))


def load() -> RuleBook:
    book = load_rulebook(rules_dir())
    _book[:] = [book]
    return book


def get() -> RuleBook:
    return _book[0] if _book else load()


def ruleset_for(service: str, on: date) -> Ruleset:
    return get().ruleset_for(service, on)


def screen(service: str, facts: dict[str, object], on: date) -> Evaluation:
    """Explained evaluation with the rules in force on ``on`` (NoRulesetInForce if none)."""
    return evaluate(ruleset_for(service, on), facts, on)


def rule_folder_problems(book: RuleBook) -> list[str]:
    """Each service with a rule folder (``rules:`` in its service.yaml) has criteria there, and each
    folder of criteria belongs to a registered service (criteria are read for a request's service)."""
    services = service_registry.all_services()
    problems = [f"{code}/service.yaml: rules: {s.rules}, but the rule book has no criteria for {s.rules}"
                for code, s in services.items() if s.rules is not None and s.rules not in book.versions]
    named = {s.rules for s in services.values()}
    problems += [f"rules/{folder}/: no service names this folder in its service.yaml ('rules: {folder}')"
                 for folder in book.versions if folder not in named]
    return problems
