// aimfire: small progressive enhancements. Every page works without this file.
(() => {
  "use strict";

  const choiceTypes = new Set(["radio", "checkbox", "submit", "button", "reset"]);
  const typing = (el) => el && (el.isContentEditable || /^(TEXTAREA|SELECT)$/.test(el.tagName)
    || (el.tagName === "INPUT" && !choiceTypes.has(el.type)));
  let pendingG = false;
  const goKeys = { b: "/deals/board", d: "/deals", c: "/contacts", a: "/accounts" };

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(document.activeElement)) return;
    if (pendingG) {
      pendingG = false;
      if (goKeys[event.key]) { window.location.href = goKeys[event.key]; event.preventDefault(); }
      return;
    }
    if (event.key === "/") {
      const search = document.querySelector("[data-search]");
      if (search) { search.focus(); search.select(); event.preventDefault(); }
    } else if (event.key === "n") {
      const link = document.querySelector("[data-new]");
      if (link) { window.location.href = link.href; event.preventDefault(); }
    } else if (event.key === "e") {
      const link = document.querySelector("[data-edit]");
      if (link) { window.location.href = link.href; event.preventDefault(); }
    } else if (event.key === "g") {
      pendingG = true;
      setTimeout(() => { pendingG = false; }, 1500);
    }
  });

  // Changing "Book of" shows that book at once.
  document.querySelectorAll("select[data-autosubmit]").forEach((select) => {
    select.addEventListener("change", () => select.form.submit());
  });

  // The first-run form suggests the browser's own time zone.
  const zone = document.querySelector("input[data-default-tz]");
  if (zone && !zone.value) zone.value = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";

  // ---- Pipeline board: one move form for every card -------------------------------------
  // A card's Move link opens the form for that card (without this file it opens the deal's
  // page at its own move form); dragging a card onto a column moves it there at once.
  const moveDialog = document.querySelector("[data-move-dialog]");
  if (moveDialog) {
    const moveForm = moveDialog.querySelector("[data-move-form]");
    const moveStage = moveForm.querySelector("select[name=stage_id]");
    const aim = (card) => {
      moveForm.action = `/deals/${card.dataset.deal}/stage`;
      moveStage.value = card.closest(".column").dataset.stage;
    };
    document.querySelectorAll(".board [data-move]").forEach((link) => {
      link.addEventListener("click", (event) => {
        event.preventDefault();
        const card = link.closest(".card");
        aim(card);
        moveDialog.querySelector("[data-move-title]").textContent = `Move ${card.querySelector("a").textContent}`;
        moveDialog.showModal();
        moveStage.focus();
      });
    });
    moveDialog.querySelector("[data-move-cancel]").addEventListener("click", () => moveDialog.close());

    let dragged = null;
    document.querySelectorAll(".board .card").forEach((card) => {
      card.draggable = true;
      card.addEventListener("dragstart", () => { dragged = card; card.classList.add("dragging"); });
      card.addEventListener("dragend", () => { card.classList.remove("dragging"); dragged = null; });
    });
    document.querySelectorAll(".board .column").forEach((column) => {
      column.addEventListener("dragover", (event) => { if (dragged) { event.preventDefault(); column.classList.add("drop"); } });
      column.addEventListener("dragleave", () => column.classList.remove("drop"));
      column.addEventListener("drop", (event) => {
        event.preventDefault();
        column.classList.remove("drop");
        if (!dragged) return;
        aim(dragged);
        moveStage.value = column.dataset.stage;
        moveForm.submit();
      });
    });
  }

  // ---- Planning form -------------------------------------------------------------------
  const planForm = document.querySelector("[data-plan-form]");
  if (planForm) {
    const typeSelect = planForm.querySelector("[data-type-select]");
    const setField = (name, value) => {
      const el = planForm.querySelector(`[name="${name}"]`);
      if (el && value) { el.value = value; el.dispatchEvent(new Event("input")); }
    };
    typeSelect.addEventListener("change", () => {
      const option = typeSelect.selectedOptions[0];
      if (!option || !option.value) return;
      setField("channel", option.dataset.channel);
      setField("reason", option.dataset.reason);
      setField("objective", option.dataset.objective);
      setField("learning_questions", option.dataset.questions);
    });
  }

  // ---- Live objective check: the same server function as on save, debounced -------------
  const csrfToken = () => (document.querySelector('input[name="csrf_token"]') || {}).value || "";
  const renderCheck = (box, result) => {
    box.replaceChildren();
    const verdict = document.createElement("p");
    const good = result.ok;
    verdict.className = result.label === "missing" ? "hint" : good ? "good" : "bad";
    verdict.textContent = result.label === "missing"
      ? "Write one objective: what you need to learn, or the step you want them to agree to."
      : good ? `✓ ${result.label[0].toUpperCase()}${result.label.slice(1)} objective: you can say yes or no afterwards.`
        : `✗ ${result.label[0].toUpperCase()}${result.label.slice(1)} objective.`;
    box.append(verdict);
    for (const finding of result.findings) {
      const item = document.createElement("div");
      item.className = "finding";
      const message = document.createElement("p");
      message.textContent = finding.message;
      item.append(message);
      if (finding.suggestion && !finding.rewrite) {
        const advice = document.createElement("p");
        advice.className = "hint";
        advice.textContent = finding.suggestion;
        item.append(advice);
      } else if (finding.suggestion) {
        const rewrite = document.createElement("p");
        rewrite.className = "rewrite";
        rewrite.append("Try: “", finding.suggestion, "” ");
        const use = document.createElement("button");
        use.type = "button";
        use.className = "link";
        use.dataset.useRewrite = finding.suggestion;
        use.textContent = "Use this rewrite";
        rewrite.append(use);
        item.append(rewrite);
      }
      box.append(item);
    }
  };
  document.querySelectorAll("textarea[data-objective]").forEach((textarea) => {
    const box = document.getElementById("objective-check");
    let timer = null;
    let sequence = 0;
    textarea.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(async () => {
        const mine = ++sequence;
        const channel = (textarea.form.querySelector('[name="channel"]') || {}).value || null;
        try {
          const response = await fetch("/api/v1/objective-check", {
            method: "POST",
            headers: { "Content-Type": "application/json", "X-CSRF-Token": csrfToken() },
            body: JSON.stringify({ text: textarea.value, channel }),
          });
          if (response.ok && mine === sequence) renderCheck(box, await response.json());
        } catch (_) { /* offline: the check runs again on save */ }
      }, 250);
    });
    box.addEventListener("click", (event) => {
      const button = event.target.closest("[data-use-rewrite]");
      if (!button) return;
      textarea.value = button.dataset.useRewrite;
      textarea.dispatchEvent(new Event("input"));
      textarea.focus();
    });
  });

  // ---- Outcome form and work mode: one key per choice ----------------------------------
  const outcome = document.querySelector("[data-outcome-form]");
  if (outcome) {
    document.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        outcome.requestSubmit();
        event.preventDefault();
        return;
      }
      if (event.ctrlKey || event.metaKey || event.altKey || typing(document.activeElement)) return;
      const radio = outcome.querySelector(`input[data-key="${CSS.escape(event.key)}"]`);
      if (radio) { radio.click(); radio.focus(); event.preventDefault(); event.stopImmediatePropagation(); }
    }, true);
    const hint = outcome.querySelector("[data-joint-hint]");
    const hintText = outcome.querySelector("[data-joint-objective]");
    let hintTimer = null;
    const refreshHint = () => {
      clearTimeout(hintTimer);
      hintTimer = setTimeout(async () => {
        const promises = [...outcome.querySelectorAll("[data-promise-text]")]
          .filter((input) => input.parentElement.querySelector("[data-promise-party]").value === "prospect")
          .map((input) => input.value).filter(Boolean);
        if (!hint) return;
        let objective = null;
        for (const text of promises) {
          const response = await fetch("/api/v1/commitments/joint-meeting", {
            method: "POST",
            headers: { "Content-Type": "application/json", "X-CSRF-Token": csrfToken() },
            body: JSON.stringify({ text }),
          });
          if (response.ok) objective = (await response.json()).objective;
          if (objective) break;
        }
        hint.hidden = !objective;
        if (objective) hintText.textContent = objective;
      }, 300);
    };
    outcome.addEventListener("input", refreshHint);
    outcome.addEventListener("change", refreshHint);
    const useJoint = outcome.querySelector("[data-use-joint]");
    if (useJoint) useJoint.addEventListener("click", () => {
      outcome.querySelector('input[name="next_step"][value="scheduled"]').click();
      outcome.querySelector('[name="next_objective"]').value = hintText.textContent;
      outcome.querySelector('[name="next_channel"]').value = "meeting";
    });
  }

  // ---- A select of the first few hundred of a book: a box above it finds any record -------
  // Without JavaScript the select offers those and the one already chosen; with it, typing
  // asks the list's API for the records matching the words and offers those instead.
  document.querySelectorAll("select[data-search-url]").forEach((select) => {
    const box = document.createElement("input");
    box.type = "search";
    box.placeholder = "Type to find…";
    box.setAttribute("aria-label", `Find: ${select.labels[0]?.textContent ?? select.name}`);
    box.autocomplete = "off";
    select.before(box);
    const original = [...select.options].map((option) => option.cloneNode(true));
    let timer = null;
    let asked = 0;
    const offer = (options) => {
      const chosen = select.selectedOptions[0];
      const keep = [...select.options].filter((o) => o.value === "" || o === chosen);
      select.replaceChildren(...keep, ...options.filter((o) => o.value !== chosen?.value));
    };
    box.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(async () => {
        const words = box.value.trim();
        const ask = ++asked;
        if (!words) { offer(original.map((o) => o.cloneNode(true)).filter((o) => o.value)); return; }
        const url = `${select.dataset.searchUrl}?q=${encodeURIComponent(words)}&per_page=50`;
        const response = await fetch(url, { headers: { Accept: "application/json" } });
        if (!response.ok || ask !== asked) return;
        const found = (await response.json()).items.map((item) => new Option(item[select.dataset.searchLabel], item.id));
        offer(found);
        if (found.length) select.value = found[0].value;
      }, 200);
    });
  });

  // ---- Calling block: select every contact on the page ---------------------------------
  document.querySelectorAll("[data-check-all]").forEach((box) => {
    box.addEventListener("change", () => {
      box.closest("form").querySelectorAll('input[name="contact_ids"]').forEach((c) => { c.checked = box.checked; });
    });
  });
})();
