/* The consoles' column chooser and saved queries, kept in this browser's localStorage.
 *
 * A saved query is a name and the console's address: the query string holds every filter, so
 * the same address also shares the query with someone else.
 */
(function () {
  "use strict";

  const chooser = document.querySelector("#choix-colonnes fieldset");
  const saved = document.getElementById("requetes-enregistrees");
  if (!chooser || !saved) {
    return;
  }
  const kind = chooser.dataset.console;
  const columnsKey = `tremplin.colonnes.${kind}`;
  const queriesKey = `tremplin.requetes.${kind}`;

  function read(key, fallback) {
    try {
      const value = JSON.parse(window.localStorage.getItem(key));
      return value === null ? fallback : value;
    } catch (error) {
      return fallback;
    }
  }
  function write(key, value) {
    try {
      window.localStorage.setItem(key, JSON.stringify(value));
    } catch (error) {
      /* private browsing: the choice lasts as long as the page */
    }
  }

  // --- columns ---
  const boxes = [...chooser.querySelectorAll("input[data-colonne]")];
  function visibleColumns() {
    const stored = read(columnsKey, null);
    if (stored && typeof stored === "object") {
      return stored;
    }
    return Object.fromEntries(boxes.map((box) => [box.dataset.colonne, box.dataset.defaut === "oui"]));
  }
  function applyColumns() {
    const visible = visibleColumns();
    boxes.forEach((box) => {
      const name = box.dataset.colonne;
      const shown = name in visible ? visible[name] : box.dataset.defaut === "oui";
      box.checked = shown;
      document.querySelectorAll(`#tableau-console [data-colonne="${name}"]`).forEach((cell) => {
        cell.hidden = !shown;
      });
    });
  }
  boxes.forEach((box) => {
    box.addEventListener("change", () => {
      const visible = visibleColumns();
      visible[box.dataset.colonne] = box.checked;
      write(columnsKey, visible);
      applyColumns();
    });
  });
  document.getElementById("colonnes-defaut").addEventListener("click", () => {
    window.localStorage.removeItem(columnsKey);
    applyColumns();
  });

  // --- saved queries ---
  const list = document.getElementById("liste-requetes");
  const nameInput = document.getElementById("nom-requete");
  function showQueries() {
    const queries = read(queriesKey, []);
    list.replaceChildren();
    if (!queries.length) {
      const empty = document.createElement("li");
      empty.className = "fr-text--xs";
      empty.textContent = "Aucune requête enregistrée.";
      list.append(empty);
      return;
    }
    queries.forEach((query, index) => {
      const item = document.createElement("li");
      const link = document.createElement("a");
      link.href = query.url;
      link.textContent = query.nom;
      const remove = document.createElement("button");
      remove.type = "button";
      remove.className = "fr-btn fr-btn--tertiary-no-outline fr-btn--sm fr-icon-delete-line";
      remove.title = `Supprimer « ${query.nom} »`;
      remove.textContent = "Supprimer";
      remove.addEventListener("click", () => {
        const kept = read(queriesKey, []);
        kept.splice(index, 1);
        write(queriesKey, kept);
        showQueries();
      });
      item.append(link, " ", remove);
      list.append(item);
    });
  }
  document.getElementById("enregistrer-requete").addEventListener("click", () => {
    const url = window.location.pathname + window.location.search;
    const name = nameInput.value.trim() || `Requête du ${new Date().toLocaleString("fr-FR")}`;
    const queries = read(queriesKey, []).filter((query) => query.nom !== name);
    queries.push({ nom: name, url: url });
    write(queriesKey, queries);
    nameInput.value = "";
    showQueries();
  });

  // --- after each reload of the console by htmx ---
  document.body.addEventListener("htmx:afterSettle", applyColumns);
  // A new région empties the finer territories, which may lie outside it.
  document.body.addEventListener("change", (event) => {
    if (event.target && event.target.name === "code_region") {
      ["code_academie", "code_departement", "bassin_bmo"].forEach((name) => {
        const select = document.querySelector(`#filtres-console select[name=${name}]`);
        if (select) {
          select.value = "";
        }
      });
    }
  }, true);

  applyColumns();
  showQueries();
})();
