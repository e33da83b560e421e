"""Eligibility rules as explainable, dated data, with two evaluators over one definition.

* ``rules/facts.yaml`` declares the typed fact vocabulary; ``rules/parameters/<name>.yaml``
  each threshold with its dated values and sources; ``rules/<SERVICE>/<date>.yaml`` the
  criteria of each service (a small typed AST, every criterion citing its clause). JSON
  Schemas in ``schemas/`` describe every file.
* ``evaluate`` explains one applicant (staff screening, citizen self-check): YES / NO /
  UNKNOWN overall and per criterion, Thai and English text, missing facts.
* ``compile_select`` turns the same rules into SQL for DuckDB or PostgreSQL to evaluate
  whole populations (proactive targeting), with identical three-valued results.
* ``shadow_run`` shows what a draft version would change on historical requests.

Pure Python: no Django imports.
"""

from jfslib.eligibility.errors import FactError, NoRulesetInForce, RuleDefinitionError
from jfslib.eligibility.explain import (
    CriterionResult,
    Evaluation,
    Figure,
    GroupResult,
    MissingFact,
    Outcome,
    evaluate,
    outcomes_only,
)
from jfslib.eligibility.facts import FactDef, FactType, Vocabulary, load_vocabulary
from jfslib.eligibility.parameters import Parameter, ParameterDef, Reference
from jfslib.eligibility.rules import Criterion, RuleBook, Ruleset, load_rulebook, load_ruleset
from jfslib.eligibility.shadow import HistoricalRequest, ShadowReport, format_report, shadow_run
from jfslib.eligibility.sql import Dialect, compile_select, compile_summary, facts_table_ddl

__all__ = [
    "Criterion",
    "CriterionResult",
    "Dialect",
    "Evaluation",
    "FactDef",
    "FactError",
    "FactType",
    "Figure",
    "GroupResult",
    "HistoricalRequest",
    "MissingFact",
    "NoRulesetInForce",
    "Outcome",
    "Parameter",
    "ParameterDef",
    "Reference",
    "RuleBook",
    "RuleDefinitionError",
    "Ruleset",
    "ShadowReport",
    "Vocabulary",
    "compile_select",
    "compile_summary",
    "evaluate",
    "facts_table_ddl",
    "format_report",
    "load_rulebook",
    "load_ruleset",
    "load_vocabulary",
    "outcomes_only",
    "shadow_run",
]
