"""The flow registry: flow name -> module, intent -> flow that it opens.

Every module has NAME, ENTRY_INTENTS, start(ctx, inp) and step(state, ctx, inp); see bot/flows/base.py.
"""

from __future__ import annotations

from types import ModuleType

from bot.flows import complaint, handoff, info, intake, language, privacy, rating, status, urgent, volunteer

FLOWS: dict[str, ModuleType] = {
    m.NAME: m for m in (intake, status, complaint, rating, handoff, info, volunteer, urgent, privacy, language)
}


def register(module: ModuleType) -> None:
    FLOWS[module.NAME] = module


def flow_for_intent(intent: str | None) -> ModuleType | None:
    if intent is None:
        return None
    for module in FLOWS.values():
        if intent in module.ENTRY_INTENTS:
            return module
    return None
