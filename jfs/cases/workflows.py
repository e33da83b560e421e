"""The process-wide registry of validated workflow definitions."""

from __future__ import annotations

from django.conf import settings

from jfslib.workflow import WorkflowDefinition, load_dir

_registry: dict[str, WorkflowDefinition] = {}


def load() -> dict[str, WorkflowDefinition]:
    _registry.clear()
    _registry.update(load_dir(settings.WORKFLOW_DIR))
    return _registry


def get(service: str) -> WorkflowDefinition:
    if not _registry:
        load()
    return _registry[service]


def all_definitions() -> dict[str, WorkflowDefinition]:
    if not _registry:
        load()
    return dict(_registry)
