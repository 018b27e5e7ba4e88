"""The territorial diagnostic: trades × territories × levels, classified by the partnership's
three objectives (attractivité, accès, compétences) and a vigilance flag.

``facts`` gathers the loaded data into a few enriched frames (offers, recruitment, tension,
insertion); ``indicators`` aggregates them for any territory level and trade grouping;
``classify`` labels each row with the objectives it calls for and says why; ``coverage`` measures
what each join loses.
"""
