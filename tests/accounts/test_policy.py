"""The policy as data: read from policy.toml, documented by docs/policy.md, and its decisions
(role, then scope) checked by hand and as properties over random accounts and resources."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tremplin.accounts.accounts import ROLES, Account
from tremplin.accounts.policy import (
    ALL_ROLES,
    SCOPES,
    VISITOR,
    Decision,
    Policy,
    Resource,
    default_policy,
    markdown_table,
)

ROOT = Path(__file__).resolve().parents[2]


def account(role: str, **scope: str | None) -> Account:
    return Account(
        id=scope.pop("id", None) or 7,  # type: ignore[arg-type]
        email=f"{role}@tremplin.test",
        role=role,
        territoire=scope.get("territoire"),
        uai=scope.get("uai"),
        siret=scope.get("siret"),
        active=True,
        created_at=datetime.now(UTC),
        last_login_at=None,
        anonymised_at=None,
    )


def test_docs_policy_holds_the_table_derived_from_the_policy() -> None:
    assert markdown_table() in (ROOT / "docs" / "policy.md").read_text(encoding="utf-8")


def test_every_action_the_features_will_need_is_declared() -> None:
    needed = {
        "lecture", "session", "compte.soi", "simulation.lancer", "simulation.voir",
        "demande.proposer", "demande.completer", "demande.avis", "demande.voir",
        "besoin.declarer", "besoin.voir", "audit.lire", "comptes.gerer", "carte.optimiser",
        "demande.modifier", "demande.statuer", "demande.valider", "campagne.gerer",
        "besoin.importer", "entreprise.gerer", "offre.publier", "offre.signaler",
        "candidat.profil", "candidature.deposer", "candidature.repondre", "candidature.suivre",
    }  # fmt: skip
    assert set(default_policy().actions) == needed


def test_only_administrators_read_the_audit_log_and_manage_accounts() -> None:
    policy = default_policy()
    for action in ("audit.lire", "comptes.gerer"):
        assert [r for r in ALL_ROLES if policy.scopes(r, action)] == ["administrateur"]


def test_public_actions_are_reading_logging_in_and_simulating() -> None:
    policy = default_policy()
    public = {name for name in policy.actions if policy.is_public(name)}
    assert public == {"lecture", "session", "simulation.lancer"}


def test_scopes_decide_by_hand() -> None:
    policy = default_policy()
    planner = account("pilote", territoire="academie:10")
    oyonnax = Resource(frozenset({"departement:01", "academie:10", "region:84"}))
    grenoble = Resource(frozenset({"departement:38", "academie:08", "region:84"}))
    assert policy.decide(planner, "demande.proposer", oyonnax) is Decision.ALLOWED
    assert policy.decide(planner, "demande.proposer", grenoble) is Decision.OUT_OF_SCOPE
    assert policy.decide(planner, "demande.proposer") is Decision.ALLOWED
    assert policy.decide(planner, "audit.lire") is Decision.FORBIDDEN
    assert policy.decide(None, "demande.proposer") is Decision.UNAUTHENTICATED
    head = account("chef_etablissement", uai="0010034G")
    assert policy.decide(head, "demande.completer", Resource(uai="0010034G")) is Decision.ALLOWED
    assert (
        policy.decide(head, "demande.completer", Resource(uai="0690103M")) is Decision.OUT_OF_SCOPE
    )
    company = account("entreprise", siret="35600000000048")
    assert (
        policy.decide(company, "besoin.declarer", Resource(siret="35600000000048"))
        is Decision.ALLOWED
    )
    # A planner sees her own simulations and those of her territory, not the others.
    mine = Resource(frozenset({"region:84"}), owner_id=7)
    assert policy.decide(planner, "simulation.voir", mine) is Decision.ALLOWED
    theirs = Resource(frozenset({"region:84"}), owner_id=8)
    assert policy.decide(planner, "simulation.voir", theirs) is Decision.OUT_OF_SCOPE


@pytest.mark.parametrize(
    "text, problem",
    [
        ('[[action]]\nnom="x"\ndescription="d"\nroles={ "pape" = "tout" }', "unknown role"),
        ('[[action]]\nnom="x"\ndescription="d"\nroles={ "lecteur" = "monde" }', "unknown scope"),
        ('[[action]]\nnom="x"\ndescription="d"\nroles={}\n' * 2, "declared twice"),
    ],
)
def test_a_policy_file_with_a_mistake_is_refused(text: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        Policy.from_toml(text)


_TERRITORIES = st.sampled_from(["region:84", "academie:10", "academie:08", "departement:01"])
_UAI = st.sampled_from(["0010034G", "0690103M"])
_SIRET = st.sampled_from(["35600000000048", "55210055400013"])


@st.composite
def _accounts(draw: st.DrawFn) -> Account | None:
    role = draw(st.sampled_from(ALL_ROLES))
    if role == VISITOR:
        return None
    needed = ROLES[role]
    value = {"territoire": _TERRITORIES, "uai": _UAI, "siret": _SIRET}.get(needed or "")
    scope = {needed: draw(value)} if needed and value is not None else {}
    return account(role, id=draw(st.integers(1, 3)), **scope)  # type: ignore[arg-type]


_RESOURCES = st.builds(
    Resource,
    territoires=st.frozensets(_TERRITORIES, max_size=3),
    uai=st.none() | _UAI,
    siret=st.none() | _SIRET,
    owner_id=st.none() | st.integers(1, 3),
)


@given(_accounts(), st.sampled_from(sorted(default_policy().actions)), _RESOURCES)
def test_a_decision_on_a_resource_never_grants_more_than_the_role(
    who: Account | None, action: str, resource: Resource
) -> None:
    policy = default_policy()
    general = policy.decide(who, action)
    specific = policy.decide(who, action, resource)
    if general is not Decision.ALLOWED:
        assert specific is general  # role first: scopes never open a refused action
    else:
        assert specific in (Decision.ALLOWED, Decision.OUT_OF_SCOPE)
    role = who.role if who else VISITOR
    if "tout" in policy.scopes(role, action):
        assert specific is Decision.ALLOWED
    assert all(scope in SCOPES for scope in policy.scopes(role, action))


@given(_accounts(), st.sampled_from(sorted(default_policy().actions)), _RESOURCES)
def test_territory_scope_is_membership_of_the_account_territory(
    who: Account | None, action: str, resource: Resource
) -> None:
    policy = default_policy()
    role = who.role if who else VISITOR
    if policy.scopes(role, action) != ("territoire",):
        return
    assert who is not None
    allowed = policy.decide(who, action, resource) is Decision.ALLOWED
    assert allowed == (who.territoire in resource.territoires)
