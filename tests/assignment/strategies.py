"""Random assignment instances for the hypothesis tests of ``tremplin.assignment``.

Instances mix the awkward cases on purpose: capacities of 0, tied scores, pupils with no wish,
formations nobody asks for, more or fewer seats than pupils.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from tremplin.assignment.instance import Instance

# Few distinct scores, so that ties (and so the lottery) matter often.
TIED_SCORES = st.sampled_from([0.0, 1.0, 2.5, 2.5, 10.0, 14.25])


@st.composite
def instances(
    draw: st.DrawFn,
    max_pupils: int = 40,
    max_formations: int = 10,
    with_variants: bool = False,
) -> Instance:
    """A random instance; with ``with_variants``, also boursier and resident flags and quotas."""
    n_formations = draw(st.integers(1, max_formations))
    n_pupils = draw(st.integers(0, max_pupils))
    capacities = draw(st.lists(st.integers(0, 5), min_size=n_formations, max_size=n_formations))
    wishes = draw(
        st.lists(
            st.lists(st.integers(0, n_formations - 1), unique=True, max_size=min(6, n_formations)),
            min_size=n_pupils,
            max_size=n_pupils,
        )
    )
    scores = [draw(st.lists(TIED_SCORES, min_size=len(w), max_size=len(w))) for w in wishes]
    seed = draw(st.integers(0, 2**32 - 1))
    optional: dict[str, Any] = {}
    if with_variants:
        n_wishes = sum(len(w) for w in wishes)
        shares = st.sampled_from([0.0, 0.1, 0.2, 0.25, 0.33, 0.5, 0.07, 1.0])
        optional = {
            "boursier": draw(st.lists(st.booleans(), min_size=n_pupils, max_size=n_pupils)),
            "resident": draw(st.lists(st.booleans(), min_size=n_wishes, max_size=n_wishes)),
            "quota_boursiers": draw(st.lists(shares, min_size=n_formations, max_size=n_formations)),
            "quota_residents": draw(st.lists(shares, min_size=n_formations, max_size=n_formations)),
        }
    return Instance.from_lists(capacities, wishes, scores, seed, **optional)
