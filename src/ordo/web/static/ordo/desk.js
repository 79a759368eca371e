// The desk's small helpers, all by event delegation (htmx swaps the card and the list in place):
// item lines (pick from the catalogue, add, remove, running totals), and the list's checkboxes.
// Every form still works without this file: it only saves typing and shows sums as you type.
(function () {
  "use strict";

  function amount(text) {
    var cleaned = String(text || "").replace(/\s/g, "").replace(",", ".");
    return /^\d+(\.\d{0,2})?$/.test(cleaned) ? parseFloat(cleaned) : NaN;
  }

  function formatter(currency) {
    try {
      return new Intl.NumberFormat(document.documentElement.lang || undefined, {
        style: "currency",
        currency: currency || "EUR",
      });
    } catch (e) {
      return { format: function (n) { return n.toFixed(2); } };
    }
  }

  function recount(box) {
    var format = formatter(box.getAttribute("data-currency"));
    var total = 0;
    box.querySelectorAll("tr[data-line]").forEach(function (row) {
      var qty = parseInt(row.querySelector("[name=line_qty]").value, 10);
      var price = amount(row.querySelector("[name=line_price]").value);
      var cell = row.querySelector("[data-line-total]");
      if (qty >= 0 && !isNaN(price)) {
        total += qty * price;
        cell.textContent = format.format(qty * price);
      } else {
        cell.textContent = "—";
      }
    });
    var out = box.querySelector("[data-lines-total]");
    if (out) out.textContent = format.format(total);
  }

  function addRow(box, values) {
    var template = box.querySelector("template[data-line-template]");
    var body = box.querySelector("tbody");
    var row = template.content.firstElementChild.cloneNode(true);
    var n = body.querySelectorAll("tr[data-line]").length + 1;
    row.querySelectorAll("input").forEach(function (input) {
      input.setAttribute("aria-label", input.getAttribute("aria-label").replace("#", String(n)));
    });
    Object.keys(values || {}).forEach(function (name) {
      row.querySelector("[name=" + name + "]").value = values[name];
    });
    body.appendChild(row);
    return row;
  }

  function pick(box, button) {
    var sku = button.getAttribute("data-sku");
    var found = null;
    box.querySelectorAll("tr[data-line]").forEach(function (row) {
      if (row.querySelector("[name=line_sku]").value.trim() === sku) found = row;
    });
    if (found) {
      var qty = found.querySelector("[name=line_qty]");
      qty.value = String((parseInt(qty.value, 10) || 0) + 1);
    } else {
      var empty = null;
      box.querySelectorAll("tr[data-line]").forEach(function (row) {
        var blank = ["line_sku", "line_name", "line_price"].every(function (name) {
          return !row.querySelector("[name=" + name + "]").value.trim();
        });
        if (blank && !empty) empty = row;
      });
      var values = {
        line_sku: sku,
        line_name: button.getAttribute("data-name"),
        line_qty: "1",
        line_price: button.getAttribute("data-price"),
      };
      if (empty) {
        Object.keys(values).forEach(function (name) {
          empty.querySelector("[name=" + name + "]").value = values[name];
        });
        found = empty;
      } else {
        found = addRow(box, values);
      }
    }
    recount(box);
    var status = box.querySelector("[data-lines-status]");
    if (status) status.textContent = button.getAttribute("data-added");
    found.querySelector("[name=line_qty]").focus();
  }

  document.addEventListener("click", function (event) {
    var target = event.target.closest("button");
    if (!target) return;
    var box = target.closest("[data-lines]");
    if (target.hasAttribute("data-zoom")) {
      var diagram = document.getElementById(target.getAttribute("aria-controls"));
      if (diagram) zoom(diagram, target.getAttribute("data-zoom"));
    } else if (target.hasAttribute("data-dismiss")) {
      target.closest("p").remove();
    } else if (target.hasAttribute("data-pick") && box) {
      event.preventDefault();
      pick(box, target);
    } else if (target.hasAttribute("data-add-line") && box) {
      event.preventDefault();
      addRow(box).querySelector("input").focus();
    } else if (target.hasAttribute("data-remove-line") && box) {
      event.preventDefault();
      var row = target.closest("tr[data-line]");
      var rows = box.querySelectorAll("tr[data-line]");
      if (rows.length > 1) {
        row.remove();
      } else {
        row.querySelectorAll("input").forEach(function (input) {
          input.value = input.name === "line_qty" ? "1" : "";
        });
        row.querySelectorAll("select").forEach(function (select) {
          select.value = "";
        });
      }
      recount(box);
    }
  });

  // Enter in a search box searches; it must not submit the order form around it.
  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && event.target.matches && event.target.matches("input[name=product_q], input[name=who]")) {
      event.preventDefault();
    }
  });

  document.addEventListener("input", function (event) {
    var box = event.target.closest && event.target.closest("[data-lines]");
    if (box && event.target.name && event.target.name.indexOf("line_") === 0) recount(box);
  });

  // Workflow diagrams: zoom with the buttons, pan by dragging (or scrolling, or the arrow keys
  // once the diagram has focus). Sizes go to the SVG's width/height attributes, never to styles.
  function zoom(box, how) {
    var svg = box.querySelector("svg");
    if (!svg) return;
    if (!svg.hasAttribute("data-width")) {
      // Graphviz gives the size in points; from here on it is in CSS pixels.
      var drawn = svg.getBoundingClientRect();
      svg.setAttribute("data-width", drawn.width);
      svg.setAttribute("data-ratio", drawn.height / drawn.width);
    }
    var natural = parseFloat(svg.getAttribute("data-width"));
    var ratio = parseFloat(svg.getAttribute("data-ratio"));
    var width = svg.getBoundingClientRect().width;
    if (how === "in") width *= 1.25;
    else if (how === "out") width /= 1.25;
    else if (how === "fit") width = box.clientWidth;
    else width = natural;
    width = Math.max(120, Math.min(width, natural * 4));
    svg.setAttribute("width", String(Math.round(width)));
    svg.setAttribute("height", String(Math.round(width * ratio)));
  }

  var drag = null;
  document.addEventListener("mousedown", function (event) {
    var box = event.target.closest && event.target.closest(".diagram");
    if (!box || event.button !== 0) return;
    drag = { box: box, x: event.clientX, y: event.clientY, left: box.scrollLeft, top: box.scrollTop };
    box.classList.add("dragging");
  });
  document.addEventListener("mousemove", function (event) {
    if (!drag) return;
    drag.box.scrollLeft = drag.left - (event.clientX - drag.x);
    drag.box.scrollTop = drag.top - (event.clientY - drag.y);
  });
  document.addEventListener("mouseup", function () {
    if (drag) drag.box.classList.remove("dragging");
    drag = null;
  });

  // The list: "select all on this page" and the count of what is chosen.
  function chosen(form) {
    var boxes = form.querySelectorAll("input[name=number]");
    var count = 0;
    boxes.forEach(function (box) { if (box.checked) count += 1; });
    var all = form.querySelector("input[name=all_matching]");
    var bar = form.querySelector("details.bulk");
    if (bar && count > 0) bar.open = true;  // ticking an order brings up what can be done with it
    var label = form.querySelector("[data-chosen]");
    if (label) {
      label.textContent = all && all.checked
        ? label.getAttribute("data-all")
        : label.getAttribute("data-some").replace("%(count)s", String(count));
    }
  }

  document.addEventListener("change", function (event) {
    var form = event.target.form;
    if (!form || !form.hasAttribute("data-bulk")) return;
    if (event.target.hasAttribute("data-select-page")) {
      form.querySelectorAll("input[name=number]").forEach(function (box) {
        box.checked = event.target.checked;
      });
    }
    chosen(form);
  });

  function refresh(root) {
    (root || document).querySelectorAll("[data-lines]").forEach(recount);
  }

  // Folded parts (the list's filters and bulk bar) stay open on a wide screen; on a phone they fold
  // away so the first order is on the first screen.
  function unfold(root) {
    if (!window.matchMedia("(min-width: 801px)").matches) return;
    (root || document).querySelectorAll("details[data-open-wide]").forEach(function (details) {
      details.open = true;
    });
  }

  document.addEventListener("DOMContentLoaded", function () { refresh(document); unfold(document); });
  document.addEventListener("htmx:afterSettle", function (event) {
    refresh(event.target);
    unfold(event.target);
    // "Done" fades after a while; an error stays until it is closed or the next action replaces it.
    document.querySelectorAll("#toast p.ok").forEach(function (message) {
      setTimeout(function () { message.remove(); }, 10000);
    });
  });
})();
