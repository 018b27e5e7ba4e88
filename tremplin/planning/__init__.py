"""The carte des formations: campaigns of requests and their workflow, Orion's counts, the
demand a changed offer draws, the impact of a campaign or a scenario, and the optimiser that
proposes changes within a budget (HiGHS)."""
