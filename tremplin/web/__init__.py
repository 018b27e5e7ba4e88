"""The web interface: HTML pages (Jinja2, DSFR, htmx) and the JSON API ``/api/v1``.

:func:`tremplin.web.app.create_app` builds the application from the settings it is given; the
routes read the store through the engine kept on ``app.state``.
"""
