"""The associations as a channel sees them (the `Directory` of bot/messages.py), read from the profiles.

The app hands one to the connectors through their settings, so that no connector reads a profile.

    >>> OrgDirectory().has_field_site("esrar", "nowhere")
    False
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

from orgs.loader import all_orgs, load_org


class OrgDirectory:
    def slugs(self) -> Collection[str]:
        return set(all_orgs())

    def numbers(self) -> Mapping[str, str]:
        """Sender number -> org slug, from the profiles' channels (the first profile naming a number wins)."""
        table: dict[str, str] = {}
        for slug, profile in all_orgs().items():
            for number in (profile.channels.whatsapp, profile.channels.sms):
                if number:
                    table.setdefault(number, slug)
        return table

    def sender(self, org: str, kind: str) -> str | None:
        channels = load_org(org).channels
        return channels.whatsapp if kind == "whatsapp" else channels.sms

    def template(self, org: str, purpose: str) -> str | None:
        return load_org(org).whatsapp_templates.get(purpose)

    def has_field_site(self, org: str, site: str) -> bool:
        return site in {s.id for s in load_org(org).field_sites}
