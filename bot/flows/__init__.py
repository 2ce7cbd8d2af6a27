"""The flow registry: flow name -> module, intent -> flow that it opens."""

from __future__ import annotations

from types import ModuleType

from bot.flows import intake, status

FLOWS: dict[str, ModuleType] = {m.NAME: m for m in (intake, status)}


def register(module: ModuleType) -> None:
    FLOWS[module.NAME] = module


def flow_for_intent(intent: str | None) -> ModuleType | None:
    if intent is None:
        return None
    for module in FLOWS.values():
        if intent in module.ENTRY_INTENTS:
            return module
    return None
