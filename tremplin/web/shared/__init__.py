"""What every feature of the web layer uses: templates, caching, parameters, pagination,
exports, errors, charts, background jobs and front-end assets."""
