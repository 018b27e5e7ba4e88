// Swagger UI on the API's OpenAPI document (a file, since the site's policy forbids inline
// scripts). The online validator is off: the document is never sent elsewhere.
"use strict";
(function () {
  var root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.getAttribute("data-openapi-url"),
    dom_id: "#swagger-ui",
    layout: "BaseLayout",
    // Without deep links: their anchor inside each operation's button is a link within a button
    // (axe-core: nested-interactive), which a screen reader cannot reach.
    deepLinking: false,
    showExtensions: true,
    showCommonExtensions: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
  });
})();
