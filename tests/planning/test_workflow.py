"""The workflow of a request: random paths never reach « validée » without « prêt pour le
vote », a history replays to the status it led to, and a refused move names the field."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tremplin.errors import InputError
from tremplin.planning import workflow
from tremplin.planning.vocabulary import STATUSES


@given(st.lists(st.sampled_from(sorted(STATUSES)), max_size=30))
def test_validee_is_reached_only_from_pret_pour_le_vote(targets: list[str]) -> None:
    current = workflow.INITIAL
    moves: list[tuple[str | None, str]] = [(None, current)]
    for target in targets:
        if target in workflow.allowed_moves(current):
            if target == "validee":
                assert current == "pret_pour_le_vote"
            moves.append((current, target))
            current = target
        else:
            with pytest.raises(InputError) as refused:
                workflow.check_move(current, target)
            assert refused.value.where == ("statut",)
    assert workflow.replay(moves) == current


@given(st.lists(st.sampled_from(sorted(STATUSES)), min_size=1, max_size=12))
def test_a_history_with_a_move_the_workflow_forbids_does_not_replay(path: list[str]) -> None:
    moves: list[tuple[str | None, str]] = [(None, workflow.INITIAL)]
    previous = workflow.INITIAL
    for status in path:
        moves.append((previous, status))
        previous = status
    allowed = all(
        after == before or after in workflow.allowed_moves(before)  # type: ignore[arg-type]
        for before, after in moves[1:]
    )
    if allowed:
        assert workflow.replay(moves) == path[-1]
    else:
        with pytest.raises(InputError):
            workflow.replay(moves)


def test_every_status_but_the_final_ones_leads_to_a_decision() -> None:
    for status in STATUSES:
        seen, frontier = {status}, [status]
        while frontier:
            for following in workflow.allowed_moves(frontier.pop()):
                if following not in seen:
                    seen.add(following)
                    frontier.append(following)
        if status not in workflow.FINAL:
            assert seen & {"validee", "refusee"}, status
        else:
            assert seen == {status}


def test_final_statuses_say_no_move_is_left() -> None:
    with pytest.raises(InputError, match="définitif"):
        workflow.check_move("validee", "brouillon")


def test_a_history_starts_as_a_draft() -> None:
    with pytest.raises(InputError, match="brouillon"):
        workflow.replay([(None, "validee")])
