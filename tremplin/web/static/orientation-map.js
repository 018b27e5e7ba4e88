/* The map of the trainings near me: Leaflet vector layers only (no tile server, no third-party
 * request). Points come from the page itself (script#carte-orientation-donnees); the table
 * after the map gives the same trainings. */
(function () {
  "use strict";

  const element = document.getElementById("carte-orientation-donnees");
  const container = document.getElementById("carte-orientation");
  if (!element || !container || typeof L === "undefined") {
    return;
  }
  const data = JSON.parse(element.textContent);
  const map = L.map(container, { scrollWheelZoom: false, attributionControl: false });
  const home = [data.commune.lat, data.commune.lon];
  const bounds = L.latLngBounds([home]);
  const colours = { pres: "#000091", loin: "#6a6af4" };
  data.formations.forEach(function (training) {
    const point = [training.latitude, training.longitude];
    bounds.extend(point);
    const marker = L.circleMarker(point, {
      radius: 7,
      color: "#ffffff",
      weight: 1,
      fillColor: colours[training.groupe] || "#6a6af4",
      fillOpacity: 0.9,
    }).addTo(map);
    const link = document.createElement("a");
    link.href = training.url;
    link.textContent = training.libelle;
    const place = document.createElement("p");
    place.textContent = (training.etablissement || "") + " — " + (training.commune || "");
    const popup = document.createElement("div");
    popup.append(link, place);
    marker.bindPopup(popup);
  });
  L.circleMarker(home, { radius: 9, color: "#ce0500", weight: 3, fillOpacity: 0 })
    .addTo(map)
    .bindTooltip(data.commune.nom);
  map.fitBounds(bounds, { padding: [20, 20], maxZoom: 12 });
})();
