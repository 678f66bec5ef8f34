// The elicitation page: show the current question, send answers, draw the learned values.
// Item texts are inserted with textContent only (never as HTML).
"use strict";
(function () {
  const byId = (id) => document.getElementById(id);
  const buttons = ["option-a", "option-b", "option-equal"];
  let question = null;
  let busy = false;

  function setBusy(value) {
    busy = value;
    for (const id of buttons) byId(id).disabled = value || question === null;
  }

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function render(state) {
    question = state.question;
    byId("question").dataset.number = String(question.number);
    for (const side of ["a", "b"]) {
      const button = byId("option-" + side);
      button.dataset.id = question[side].id;
      button.querySelector(".text").textContent = question[side].text;
    }
    byId("answered").textContent = String(state.answered);
    renderWeights(state.weights);
    renderRanking(state.ranking);
    document.body.dataset.answered = String(state.answered);
  }

  function renderRanking(rows) {
    let low = Infinity;
    let high = -Infinity;
    for (const row of rows) {
      low = Math.min(low, row.utility - 2 * row.std);
      high = Math.max(high, row.utility + 2 * row.std);
    }
    const span = high - low || 1;
    const percent = (x) => (100 * (x - low) / span).toFixed(2) + "%";
    const items = rows.map((row) => {
      const li = element("li");
      li.dataset.id = row.id;
      li.title = row.text + ": " + row.utility.toFixed(2) + " \u00b1 " + row.std.toFixed(2);
      const line = element("div", "row");
      const track = element("div", "track");
      const band = element("div", "band");
      band.style.left = percent(row.utility - 2 * row.std);
      band.style.width = (400 * row.std / span).toFixed(2) + "%";
      const dot = element("div", "dot");
      dot.style.left = percent(row.utility);
      track.append(band, dot);
      line.append(element("span", "label", row.text), track);
      li.append(line);
      return li;
    });
    byId("ranking").replaceChildren(...items);
  }

  function renderWeights(weights) {
    byId("weights-block").hidden = weights.length === 0;
    const largest = Math.max(1e-9, ...weights.map((w) => Math.abs(w.mean) + w.std));
    const items = weights.map((w) => {
      const li = element("li");
      li.dataset.name = w.name;
      const track = element("div", "weight-track");
      const bar = element("div", "weight-bar " + (w.mean >= 0 ? "up" : "down"));
      const width = 50 * Math.abs(w.mean) / largest;
      bar.style.width = width.toFixed(2) + "%";
      bar.style.left = (w.mean >= 0 ? 50 : 50 - width).toFixed(2) + "%";
      track.append(bar);
      const value = (w.mean >= 0 ? "+" : "") + w.mean.toFixed(2) + " \u00b1 " + w.std.toFixed(2);
      li.append(element("span", "weight-name", w.name), track, element("span", "weight-value", value));
      return li;
    });
    byId("weights").replaceChildren(...items);
  }

  async function call(url, options) {
    const response = await fetch(url, options);
    const body = await response.json();
    if (!response.ok) {
      const error = new Error(body.error || response.statusText);
      error.status = response.status;
      throw error;
    }
    return body;
  }

  async function refresh() {
    render(await call("/api/state"));
  }

  async function answer(preferred) {
    if (busy || question === null) return;
    setBusy(true);
    byId("message").textContent = "";
    const payload = { question: question.number, a: question.a.id, b: question.b.id, preferred };
    try {
      render(await call("/api/answer", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(payload),
      }));
    } catch (error) {
      byId("message").textContent = error.message;
      if (error.status === 409) await refresh().catch(() => {});
    } finally {
      setBusy(false);
    }
  }

  function start() {
    byId("option-a").addEventListener("click", () => answer("a"));
    byId("option-b").addEventListener("click", () => answer("b"));
    byId("option-equal").addEventListener("click", () => answer("equal"));
    document.addEventListener("keydown", (event) => {
      const choice = { ArrowLeft: "a", ArrowRight: "b", ArrowDown: "equal" }[event.key];
      if (choice) {
        event.preventDefault();
        answer(choice);
      }
    });
    setBusy(true);
    refresh()
      .catch((error) => { byId("message").textContent = "Cannot reach the server: " + error.message; })
      .finally(() => setBusy(false));
  }

  start();
})();
