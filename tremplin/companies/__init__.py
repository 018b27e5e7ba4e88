"""Companies: their accounts' sites, the needs they declare (recruitment, apprenticeship, PFMP),
offers and candidates; declared needs feed the diagnostic and the carte's optimiser."""
