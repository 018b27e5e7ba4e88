/* The diagnostic's map: Leaflet vector layers only, no tile server.
 *
 * Shapes come from /api/v1/carte/{maille} (académie polygons, or points at the
 * population-weighted centroids of départements and bassins), figures from /api/v1/diagnostic.
 * Two views: an indicator (choropleth for polygons, coloured circles sized by the places for
 * points) or an objective (territories where at least one trade group calls for it).
 */
(function () {
  "use strict";

  const configElement = document.getElementById("carte-config");
  if (!configElement || typeof L === "undefined") {
    return;
  }
  const config = JSON.parse(configElement.textContent);
  const state = document.getElementById("carte-etat");
  const legend = document.getElementById("carte-legende");
  const legendText = document.getElementById("carte-legende-texte");
  const title = document.getElementById("carte-titre");
  const form = document.getElementById("filtres-carte");

  const BLUES = ["#e3e3fd", "#cacafb", "#8585f6", "#6a6af4", "#000091"];
  const EMPTY = "#d9d9d9";
  const PAGE_SIZE = 1000;
  const indicators = Object.fromEntries(config.indicators.map((i) => [i.name, i]));

  // --- French formats (the same as the server's: narrow no-break spaces, decimal comma) ---
  const integer = new Intl.NumberFormat("fr-FR", { maximumFractionDigits: 0 });
  function decimal(value, digits) {
    return new Intl.NumberFormat("fr-FR", {
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
    }).format(value);
  }
  function formatValue(name, value) {
    if (value === null || value === undefined || Number.isNaN(value)) {
      return "—";
    }
    const indicator = indicators[name];
    if (indicator && indicator.percent) {
      return decimal(value * 100, value >= 0.1 ? 0 : 1) + "\u00a0%";
    }
    if (indicator && indicator.decimals) {
      return decimal(value, indicator.decimals);
    }
    return integer.format(value);
  }
  // BMO cells under statistical secret (« * »): a figure they all hide is « secret », one they
  // partly hide is « au moins N » — never 0.
  const LOWER_BOUNDS = ["projets_recrutement", "projets_par_place"];
  function withSecret(name, value, rows) {
    if (!LOWER_BOUNDS.includes(name)) {
      return formatValue(name, value);
    }
    const cells = rows.reduce((sum, row) => sum + (row.cellules_bmo || 0), 0);
    const hidden = rows.reduce((sum, row) => sum + (row.cellules_bmo_secretes || 0), 0);
    if (cells > 0 && hidden === cells) {
      return "secret";
    }
    if (hidden > 0 && value !== null && value !== undefined) {
      const share = formatValue("part_cellules_bmo_secretes", hidden / cells);
      return `au moins ${formatValue(name, value)} (${share} des cellules BMO secrètes)`;
    }
    return formatValue(name, value);
  }
  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, (c) => ({
      "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;",
    })[c]);
  }

  // --- the controls: one view's choices are hidden in the other view ---
  function currentView() {
    const checked = form.querySelector("input[name=vue]:checked");
    return checked ? checked.value : config.vue;
  }
  function showChoices() {
    const view = currentView();
    form.querySelector(".choix-objectif").hidden = view !== "objectifs";
    form.querySelector(".choix-indicateur").hidden = view !== "indicateur";
  }
  form.querySelectorAll("input[name=vue]").forEach((input) => {
    input.addEventListener("change", () => { showChoices(); redraw(); });
  });
  form.querySelector("select[name=objectif]").addEventListener("change", redraw);
  form.querySelector("select[name=indicateur]").addEventListener("change", redraw);
  // The others change the data: reload the page with them (its lists of groups change too).
  ["region", "maille", "perimetre", "niveau", "groupement", "groupe"].forEach((name) => {
    const select = form.querySelector(`select[name=${name}]`);
    if (select) {
      select.addEventListener("change", () => {
        if (name === "groupement") {
          form.querySelector("select[name=groupe]").value = "";
        }
        form.submit();
      });
    }
  });
  showChoices();

  // --- the data ---
  function apiUrl(page, objective) {
    const query = new URLSearchParams();
    Object.entries(config.query).forEach(([key, value]) => {
      if (value !== null && value !== undefined && value !== "") {
        query.set(key, value);
      }
    });
    if (objective) {
      query.set("objectif", objective);
    }
    query.set("page", page);
    query.set("taille", PAGE_SIZE);
    return `${config.api}?${query}`;
  }
  async function fetchJson(url) {
    const response = await fetch(url, { headers: { Accept: "application/json" } });
    if (!response.ok) {
      const body = await response.json().catch(() => ({}));
      throw new Error(body.detail || `erreur ${response.status}`);
    }
    return response.json();
  }
  async function allRows() {
    const first = await fetchJson(apiUrl(1));
    let rows = first.lignes;
    const pages = Math.ceil(first.total / PAGE_SIZE);
    for (let page = 2; page <= pages; page += 1) {
      rows = rows.concat((await fetchJson(apiUrl(page))).lignes);
    }
    return rows;
  }

  // Per territory: its rows, the sums that are exact over groups, the objectives called.
  function byTerritory(rows) {
    const found = new Map();
    rows.forEach((row) => {
      if (!found.has(row.code_territoire)) {
        found.set(row.code_territoire, { rows: [], name: row.territoire });
      }
      found.get(row.code_territoire).rows.push(row);
    });
    found.forEach((entry) => {
      const totals = {};
      config.indicators.forEach((indicator) => {
        if (indicator.weighted) {
          const [numerator, denominator] = indicator.weighted;
          let top = 0;
          let bottom = 0;
          entry.rows.forEach((row) => {
            const weight = row[denominator] || 0;
            bottom += weight;
            top += indicator.name === "projets_par_place"
              ? (row[numerator] || 0)
              : (row[indicator.name] || 0) * weight;
          });
          totals[indicator.name] = bottom > 0 ? top / bottom : null;
        } else if (indicator.summable) {
          totals[indicator.name] = entry.rows.reduce((sum, row) => sum + (row[indicator.name] || 0), 0);
        }
      });
      entry.totals = totals;
    });
    return found;
  }

  function yearOf(indicator, rows) {
    const parts = [];
    Object.entries(config.yearColumns).forEach(([source, column]) => {
      if (indicator.source.includes(source)) {
        const years = [...new Set(rows.map((r) => r[column]).filter((v) => v !== null))].sort();
        if (years.length) {
          parts.push(`${source} ${years.join(", ")}`);
        }
      }
    });
    return parts.join(" ; ") || indicator.source;
  }

  // --- the map ---
  const map = L.map("carte", {
    attributionControl: false,
    zoomSnap: 0.25,
    preferCanvas: false,
  });
  let layer = null;
  let shapes = null;
  let background = null;
  let cache = { all: null, objectives: {} };

  function classes(values) {
    const sorted = values.filter((v) => v !== null && v !== undefined).sort((a, b) => a - b);
    if (!sorted.length) {
      return [];
    }
    // Quantile breaks; a break equal to the smallest value would make an empty first class.
    const breaks = [];
    for (let i = 1; i < BLUES.length; i += 1) {
      breaks.push(sorted[Math.min(sorted.length - 1, Math.floor((i * sorted.length) / BLUES.length))]);
    }
    return [...new Set(breaks)].filter((value) => value > sorted[0]);
  }
  function colourOf(value, breaks) {
    if (value === null || value === undefined) {
      return EMPTY;
    }
    let index = 0;
    while (index < breaks.length && value >= breaks[index]) {
      index += 1;
    }
    return BLUES[Math.min(index + (BLUES.length - 1 - breaks.length), BLUES.length - 1)];
  }

  function territoryLink(code) {
    const query = config.territoryQuery ? `?${config.territoryQuery}` : "";
    return `${config.territoryPage}${encodeURIComponent(code)}${query}`;
  }

  function popupHtml(feature, entry, view, choice) {
    const name = escapeHtml(feature.properties.nom);
    const code = feature.properties.code;
    let body = "";
    if (!entry) {
      body = "<p>Aucune ligne pour ce territoire avec ces filtres.</p>";
    } else if (view === "indicateur") {
      const indicator = indicators[choice];
      const single = entry.rows.length === 1 && config.query.groupe;
      const value = single ? entry.rows[0][choice] : entry.totals[choice];
      body = `<p class="popup-valeur"><strong>${escapeHtml(indicator.label)}</strong> : ${withSecret(choice, value, entry.rows)}</p>`
        + `<p class="popup-source">Source : ${escapeHtml(yearOf(indicator, entry.rows))} — <a href="/glossaire#${choice}">définition</a></p>`;
    } else {
      const label = config.objectives[choice].label;
      const called = entry.rows.filter((r) => r.objectifs.includes(choice));
      const items = called.slice(0, 5).map((r) => {
        const sentence = r.explications[r.objectifs.indexOf(choice)];
        return `<li><strong>${escapeHtml(r.groupe)}</strong> : ${escapeHtml(sentence)}</li>`;
      }).join("");
      const more = called.length > 5 ? `<li>et ${called.length - 5} autres groupes</li>` : "";
      body = `<p><strong>${escapeHtml(label)}</strong> : ${called.length} groupe${called.length > 1 ? "s" : ""} de métiers</p><ul class="popup-explications">${items}${more}</ul>`;
    }
    const propose = mayPropose
      ? `<p><a class="popup-proposer" href="${offersLink(code)}">Proposer une demande sur une offre de ce territoire</a></p>`
      : "";
    return `<h3 class="popup-titre">${name}</h3>${body}${propose}`
      + `<p><a class="popup-lien" href="${territoryLink(code)}">Voir le territoire</a></p>`;
  }

  // --- proposing a request from the map (a planner: « demande.proposer ») ---
  // The page is the same for every reader (it is cached): the policy is asked, once, whether
  // this session may propose. The territory's offers console lists its offers, each with a
  // link to the request form filled with its UAI and MEF; the list below the map gives the
  // same links without the map (keyboard, screen reader).
  let mayPropose = false;

  function offersLink(code) {
    return `${config.offersPage}&${encodeURIComponent(config.offersColumn)}=${encodeURIComponent(code)}`;
  }

  function listProposals() {
    const section = document.getElementById("proposer-depuis-la-carte");
    const list = document.getElementById("proposer-territoires");
    if (!section || !list || !shapes) {
      return;
    }
    const features = shapes.features
      .filter((f) => f.properties && f.properties.code)
      .sort((a, b) => String(a.properties.nom).localeCompare(String(b.properties.nom), "fr"));
    list.innerHTML = features.map((f) => `<li><a href="${offersLink(f.properties.code)}">${escapeHtml(f.properties.nom)}</a></li>`).join("");
    section.hidden = false;
  }

  async function askPolicy() {
    try {
      const response = await fetch(config.proposePolicy, { headers: { Accept: "application/json" } });
      const decision = response.ok ? await response.json() : null;
      mayPropose = Boolean(decision && decision.autorise);
    } catch (error) {
      mayPropose = false;
    }
    if (mayPropose) {
      listProposals();
    }
  }

  function styleFor(colour, isPoint, radius) {
    const style = {
      color: isPoint ? "#161616" : "#3a3a3a",
      weight: isPoint ? 1 : 1.2,
      fillColor: colour,
      fillOpacity: isPoint ? 0.85 : 0.8,
    };
    if (isPoint) {
      style.radius = radius;
    }
    return style;
  }

  function draw(entries, view, choice) {
    map.closePopup();
    if (layer) {
      layer.remove();
    }
    const indicator = indicators[choice];
    const single = Boolean(config.query.groupe);
    const valueOf = (entry) => {
      if (!entry) {
        return null;
      }
      if (single && entry.rows.length === 1) {
        return entry.rows[0][choice];
      }
      return indicator && indicator.summable ? entry.totals[choice] : null;
    };
    let breaks = [];
    if (view === "indicateur") {
      breaks = classes(shapes.features.map((f) => valueOf(entries.get(f.properties.code))));
    }
    // Circle areas follow the places offered (or the chosen count), largest about 30 px wide.
    const sizes = shapes.features.map((f) => {
      const entry = entries.get(f.properties.code);
      if (!entry) {
        return 0;
      }
      if (view === "indicateur" && indicator && !indicator.percent && !indicator.decimals) {
        return valueOf(entry) || 0;
      }
      return entry.totals.places || 0;
    });
    const largest = Math.max(1, ...sizes);
    layer = L.geoJSON(shapes, {
      pointToLayer: (feature, latlng) => L.circleMarker(latlng),
      style: (feature) => {
        const entry = entries.get(feature.properties.code);
        const isPoint = feature.geometry.type === "Point";
        const size = sizes[shapes.features.indexOf(feature)];
        const radius = 4 + 14 * Math.sqrt(size / largest);
        let colour = EMPTY;
        if (view === "indicateur") {
          colour = colourOf(valueOf(entry), breaks);
        } else if (entry && entry.rows.some((r) => r.objectifs.includes(choice))) {
          colour = config.objectives[choice].colour;
        }
        return styleFor(colour, isPoint, radius);
      },
      onEachFeature: (feature, featureLayer) => {
        const entry = entries.get(feature.properties.code);
        featureLayer.bindPopup(() => popupHtml(feature, entry, view, choice), { maxWidth: 380 });
        featureLayer.bindTooltip(escapeHtml(feature.properties.nom), { sticky: true });
        featureLayer.on("add", () => {
          const element = featureLayer.getElement && featureLayer.getElement();
          if (element) {
            element.setAttribute("data-code", feature.properties.code);
            element.classList.add("territoire-carte");
          }
        });
      },
    }).addTo(map);
    if (!map._tremplinFitted) {
      const bounds = layer.getBounds();
      if (bounds.isValid()) {
        map.fitBounds(bounds, { padding: [16, 16] });
        map._tremplinFitted = true;
      }
    }
    drawLegend(view, choice, breaks, entries);
  }

  function drawLegend(view, choice, breaks, entries) {
    if (view === "objectifs") {
      const objective = config.objectives[choice];
      const count = [...entries.values()].filter((e) => e.rows.some((r) => r.objectifs.includes(choice))).length;
      title.textContent = objective.label;
      legend.innerHTML = `<p class="legende-ligne"><span class="legende-pastille" style="background:${objective.colour}"></span>Au moins un groupe de métiers appelle cet objectif (${count})</p>`
        + `<p class="legende-ligne"><span class="legende-pastille" style="background:${EMPTY}"></span>Aucun</p>`;
      legendText.textContent = "Cliquez sur un territoire pour lire pourquoi, groupe par groupe, avec les chiffres.";
      return;
    }
    const indicator = indicators[choice];
    title.textContent = indicator.label;
    const allRows = [...entries.values()].flatMap((e) => e.rows);
    const usable = Boolean(config.query.groupe) || indicator.summable;
    if (!usable) {
      legend.innerHTML = "";
      legendText.textContent = "Ce taux ne s’additionne pas sur les groupes de métiers : choisissez un groupe pour l’afficher.";
      return;
    }
    const lines = [];
    const offset = BLUES.length - 1 - breaks.length;
    lines.push(`<p class="legende-ligne"><span class="legende-pastille" style="background:${BLUES[offset]}"></span>moins de ${formatValue(choice, breaks[0])}</p>`);
    breaks.forEach((value, index) => {
      lines.push(`<p class="legende-ligne"><span class="legende-pastille" style="background:${BLUES[offset + index + 1]}"></span>${formatValue(choice, value)} ou plus</p>`);
    });
    lines.push(`<p class="legende-ligne"><span class="legende-pastille" style="background:${EMPTY}"></span>sans objet ou inconnu</p>`);
    if (!breaks.length) {
      lines.splice(0, 1, `<p class="legende-ligne"><span class="legende-pastille" style="background:${BLUES[BLUES.length - 1]}"></span>une seule valeur</p>`);
    }
    legend.innerHTML = lines.join("");
    legendText.innerHTML = `Source : ${escapeHtml(yearOf(indicator, allRows))}. <a href="/glossaire#${choice}">Définition</a>.`
      + (shapes.features.some((f) => f.geometry.type === "Point") ? " Taille des cercles : places offertes par an (ou le compte choisi)." : "");
  }

  async function redraw() {
    const view = currentView();
    const choice = view === "objectifs"
      ? form.querySelector("select[name=objectif]").value
      : form.querySelector("select[name=indicateur]").value;
    state.textContent = "Chargement des données…";
    try {
      const region = config.query.region ? `?region=${encodeURIComponent(config.query.region)}` : "";
      if (!shapes) {
        shapes = await fetchJson(config.shapes + region);
      }
      if (!background && config.query.maille !== "academie") {
        // The académies' outlines, under the circles, so that a reader knows where they are.
        background = await fetchJson(config.background + region);
        L.geoJSON(background, {
          filter: (feature) => feature.geometry.type !== "Point",
          style: { color: "#929292", weight: 1, fillColor: "#ffffff", fillOpacity: 1 },
          interactive: false,
        }).addTo(map);
      }
      if (!cache.all) {
        cache.all = byTerritory(await allRows());
      }
      draw(cache.all, view, choice);
      const drawn = shapes.features.length;
      state.textContent = `${drawn} territoire${drawn > 1 ? "s" : ""} sur la carte.`;
      const url = new URL(window.location.href);
      url.searchParams.set("vue", view);
      url.searchParams.set(view === "objectifs" ? "objectif" : "indicateur", choice);
      window.history.replaceState(null, "", url);
    } catch (error) {
      state.textContent = `La carte n’a pas pu être chargée : ${error.message}`;
    }
  }

  redraw().then(askPolicy);
})();
