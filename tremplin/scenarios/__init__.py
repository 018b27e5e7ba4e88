"""The scenario pipeline: cohorts generated from the real aggregates, replayed by the engine.

- :mod:`cohort_offers` — the offers of a palier (1re pro, Parcoursup) from the store;
- :mod:`cohort_places` — where pupils live and which lycées are within their reach;
- :mod:`grades` — grades and boursier status of generated pupils;
- :mod:`choice_model` — further wishes from a calibrated choice model;
- :mod:`cohorts` — cohorts whose first wishes are the file's;
- :mod:`calibration` — fitting the choice model on Affelnet's real assignments;
- :mod:`scenarios` — a scenario (changes of capacity) applied to the offers;
- :mod:`scenario_comparison` — before/after over several seeds, with confidence intervals.

The pure assignment engine they call lives in :mod:`tremplin.assignment`.
"""
