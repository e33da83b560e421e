"""The process-wide registry of validated workflow definitions."""

from __future__ import annotations

from django.conf import settings

from jfs.cases import service_registry
from jfslib.workflow import WorkflowDefinition, WorkflowDefinitionError, load_dir, load_files

_registry: dict[str, WorkflowDefinition] = {}


def load() -> dict[str, WorkflowDefinition]:
    """The workflows in ``WORKFLOW_DIR`` and each registered service's own (``workflow:`` in its
    service.yaml) where that file is elsewhere; each service's workflow must name the service."""
    loaded = load_dir(settings.WORKFLOW_DIR)
    services = service_registry.all_services()
    in_dir = {p.resolve() for p in settings.WORKFLOW_DIR.glob("*.yaml")}
    loaded.update(load_files([s.workflow_path for s in services.values() if s.workflow_path not in in_dir]))
    problems = [f"{code}/service.yaml: its workflow defines no service {code} (no 'service: {code}' in "
                f"{s.workflow_path.name})" for code, s in services.items() if code not in loaded]
    if problems:
        raise WorkflowDefinitionError(problems)
    _registry.clear()
    _registry.update(loaded)
    return _registry


def get(service: str) -> WorkflowDefinition:
    if not _registry:
        load()
    return _registry[service]


def all_definitions() -> dict[str, WorkflowDefinition]:
    if not _registry:
        load()
    return dict(_registry)
