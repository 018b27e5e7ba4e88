"""Assignment simulations on the web: the service that checks and queues scenarios, their
pages and their API."""
