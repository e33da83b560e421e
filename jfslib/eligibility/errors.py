"""Errors raised by the eligibility engine: broken rule data, and facts of the wrong shape."""

from __future__ import annotations


class RuleDefinitionError(Exception):
    """A fact vocabulary or rule file is invalid. Lists *every* problem found."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("Invalid eligibility rules:\n  - " + "\n  - ".join(problems))


class FactError(ValueError):
    """Facts given to an evaluator do not fit the declared vocabulary (unknown name, wrong type)."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("Invalid facts: " + "; ".join(problems))


class NoRulesetInForce(LookupError):
    """No active rule version of a service was in force on the date asked about."""

    def __init__(self, service: str, on: object):
        self.service = service
        self.on = on
        super().__init__(f"no active eligibility rules for service {service!r} in force on {on}")
