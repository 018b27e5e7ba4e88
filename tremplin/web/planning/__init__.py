"""Pages and API of the carte des formations (campaigns, requests, optimiser)."""
