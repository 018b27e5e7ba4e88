"""Authorisation as data: which role may do which action, on which resources.

The policy is the table of ``policy.toml`` (role × action × scope). A route declares one action;
the web asks :meth:`Policy.decide` whether the account (or a visitor) may do it, first without a
resource (is the role allowed at all?), then, once the route has found it, on the resource
(:class:`Resource`: its territories, UAI, SIRET, owner). ``docs/policy.md`` is
:func:`markdown_table`, checked by a test.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from pathlib import Path

from tremplin.accounts.accounts import ROLES, Account

VISITOR = "visiteur"
"""The role of nobody logged in."""
ALL_ROLES: tuple[str, ...] = (VISITOR, *ROLES)
SCOPES: dict[str, str] = {
    "tout": "toute ressource",
    "territoire": "dans son territoire",
    "uai": "son établissement",
    "siret": "son entreprise",
    "soi": "soi-même, ce qu’on possède",
}
"""The scopes a rule may give, and how the documentation says them."""
POLICY_FILE = Path(__file__).with_name("policy.toml")


@dataclass(frozen=True)
class Resource:
    """What an action is done on, as far as scopes are concerned: the territories it lies in
    (every level: « region:84 », « academie:10 », « departement:69 »…), its establishment, its
    company and the account that owns it."""

    territoires: frozenset[str] = field(default_factory=frozenset)
    uai: str | None = None
    siret: str | None = None
    owner_id: int | None = None


class Decision(StrEnum):
    """The policy's answer: allowed; not logged in; role not allowed; resource out of scope."""

    ALLOWED = "autorise"
    UNAUTHENTICATED = "non_connecte"
    FORBIDDEN = "interdit"
    OUT_OF_SCOPE = "hors_perimetre"


@dataclass(frozen=True)
class Action:
    """One action: its name, what it is, and the scopes each role has for it (none: refused)."""

    name: str
    description: str
    rules: Mapping[str, tuple[str, ...]]


def _in_scope(scope: str, account: Account | None, resource: Resource) -> bool:
    if scope == "tout":
        return True
    if account is None:
        return False
    if scope == "territoire":
        return account.territoire is not None and account.territoire in resource.territoires
    if scope == "uai":
        return account.uai is not None and account.uai == resource.uai
    if scope == "siret":
        return account.siret is not None and account.siret == resource.siret
    if scope == "soi":
        return resource.owner_id == account.id
    raise KeyError(scope)


@dataclass(frozen=True)
class Policy:
    """Every action, by name."""

    actions: Mapping[str, Action]

    @classmethod
    def from_toml(cls, text: str) -> Policy:
        """The policy written in ``text`` (the format of ``policy.toml``); raises ``ValueError``
        for an unknown role or scope, or an action declared twice."""
        found: dict[str, Action] = {}
        for entry in tomllib.loads(text)["action"]:
            rules: dict[str, tuple[str, ...]] = {}
            for who, scopes in entry["roles"].items():
                scopes = (scopes,) if isinstance(scopes, str) else tuple(scopes)
                unknown = [s for s in scopes if s not in SCOPES]
                if unknown:
                    raise ValueError(f"{entry['nom']}: unknown scope {unknown}")
                for role in _roles(who):
                    rules[role] = scopes
            if entry["nom"] in found:
                raise ValueError(f"action {entry['nom']} declared twice")
            found[entry["nom"]] = Action(entry["nom"], entry["description"], rules)
        return cls(found)

    def action(self, name: str) -> Action:
        """The action ``name``; ``KeyError`` when the policy has none (a route's typo)."""
        return self.actions[name]

    def scopes(self, role: str, action: str) -> tuple[str, ...]:
        """The scopes ``role`` has for ``action`` (empty: refused)."""
        return self.action(action).rules.get(role, ())

    def decide(
        self, account: Account | None, action: str, resource: Resource | None = None
    ) -> Decision:
        """May ``account`` (None: a visitor) do ``action`` — on ``resource`` when given?"""
        role = account.role if account is not None else VISITOR
        scopes = self.scopes(role, action)
        if not scopes:
            return Decision.UNAUTHENTICATED if account is None else Decision.FORBIDDEN
        if resource is None or any(_in_scope(s, account, resource) for s in scopes):
            return Decision.ALLOWED
        return Decision.OUT_OF_SCOPE

    def is_public(self, action: str) -> bool:
        """Whether a visitor may do ``action``."""
        return bool(self.scopes(VISITOR, action))


def _roles(who: str) -> Iterable[str]:
    if who == "*":
        return ALL_ROLES
    if who == "comptes":
        return tuple(ROLES)
    if who not in ALL_ROLES:
        raise ValueError(f"unknown role {who}")
    return (who,)


@cache
def default_policy() -> Policy:
    """The policy of ``policy.toml``, read once."""
    return Policy.from_toml(POLICY_FILE.read_text(encoding="utf-8"))


def markdown_table(policy: Policy | None = None) -> str:
    """``docs/policy.md``'s table: one row per action, one column per role, each cell the
    scopes that role has (« — »: refused)."""
    policy = policy or default_policy()
    lines = [
        "| action | " + " | ".join(ALL_ROLES) + " |",
        "|---|" + "---|" * len(ALL_ROLES),
    ]
    for action in policy.actions.values():
        cells = [", ".join(action.rules.get(role, ())) or "—" for role in ALL_ROLES]
        lines.append(f"| `{action.name}` | " + " | ".join(cells) + " |")
    return "\n".join(lines)
