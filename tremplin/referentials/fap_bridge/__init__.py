"""The FAP 2009 ↔ FAP 2021 bridge, built from codes and labels.

DARES tension indicators are published per FAP 2009 family (225 codes such as ``D2Z42``); BMO
recruitment projects per FAP 2021 métier (341 codes such as ``D1X33B``, BMO mostly using their
228-level parent ``D1X33``). No official correspondence table is among the sources, so the bridge
is built here, and its coverage and doubtful cases are reported with it.

FAP 2021 renumbered most families (D2Z42 « soudeurs » became D1X33, E1Z41 « chimie » became E2X40
while E1X41 is now metal production), so a code is weak evidence and labels decide:

1. Each FAP 2009 is described by the labels of its PCS (the FAP is defined as a group of PCS) and
   of its ROME codes; there is no FAP 2009 label file.
2. Each pair (FAP 2009, FAP 2021 341-level code) is scored: a weighted token similarity of the
   labels (:func:`token_similarity`, tokens weighted by their rarity), lowered when the socio-
   professional class (worker, employee, technician, executive) or the qualification (« non / peu
   qualifiés » against « qualifiés ») disagree, or when the domain letter differs, raised when the
   code structure agrees (``Z`` → ``X``, same digits).
3. The best candidate is the **primary** FAP 2021. A FAP 2009 made of several PCS keeps the best
   FAP 2021 of each of its PCS when it scores close to the primary (a real split), and a primary
   that is one of several suffixed codes (``A0X41a``…``f``) brings its compatible siblings.
4. A FAP 2021 that no FAP 2009 reached gets its best FAP 2009 (« réciproque »), when close enough.
5. Weights of one FAP 2009's targets are proportional to their BMO projects (a 228-level BMO code
   shared equally among its 341-level children), equal when there are none; they sum to 1.

Thresholds and factors were set on 108 families whose counterpart can be judged from the labels
(103 right); ``docs/trades.md`` gives them with the coverage on the real files.

Modules: :mod:`.labels` (label similarity), :mod:`.reading` (what it reads from the store),
:mod:`.scoring` (scores and thresholds), :mod:`.bridge` (choosing, weights, ambiguity,
coverage). Everything public is re-exported here.
"""

from tremplin.referentials.fap_bridge.bridge import (
    METHOD_CODE,
    METHOD_LABEL,
    METHOD_LABEL_SUFFIX,
    METHOD_REVERSE,
    METHOD_SHARE,
    METHOD_SUFFIX,
    BridgeCoverage,
    FapBridge,
    bmo_code_expr,
    fap_bridge,
)
from tremplin.referentials.fap_bridge.labels import to_2021_shape, token_similarity, tokens
from tremplin.referentials.fap_bridge.reading import (
    bmo_projects,
    fap2009_labels,
    fap2021_codes,
    national_employment,
    representative_label,
)
from tremplin.referentials.fap_bridge.scoring import (
    AMBIGUITY_MARGIN,
    FRAGILE_SCORE,
    MIN_SCORE,
    REVERSE_MIN_SCORE,
    SHARE_RATIO,
    SIBLING_RATIO,
)

__all__ = [
    "AMBIGUITY_MARGIN",
    "FRAGILE_SCORE",
    "METHOD_CODE",
    "METHOD_LABEL",
    "METHOD_LABEL_SUFFIX",
    "METHOD_REVERSE",
    "METHOD_SHARE",
    "METHOD_SUFFIX",
    "MIN_SCORE",
    "REVERSE_MIN_SCORE",
    "SHARE_RATIO",
    "SIBLING_RATIO",
    "BridgeCoverage",
    "FapBridge",
    "bmo_code_expr",
    "bmo_projects",
    "fap2009_labels",
    "fap2021_codes",
    "fap_bridge",
    "national_employment",
    "representative_label",
    "to_2021_shape",
    "token_similarity",
    "tokens",
]
