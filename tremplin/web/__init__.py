"""The web interface: HTML pages (Jinja2, DSFR, htmx) and the JSON API ``/api/v1``.

:func:`tremplin.web.app.create_app` builds the application from the settings it is given and
includes each feature's routers; the routes read the store through the engine and the services
kept on ``app.state``. One package per feature (``home``, ``diagnostic``, ``simulations``), each
with its service, pages, API and templates; ``shared`` holds what they all use (templating,
caching, parameters, pagination, exports, errors, charts, background jobs, assets).
"""
