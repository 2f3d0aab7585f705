// What the pages do in the browser, from this file rather than inline: the
// Content-Security-Policy runs no inline handler and no script without the answer's nonce.
// Every handler is delegated from the document, so rows htmx adds later behave the same.
(function () {
  "use strict";

  // The language menu switches as soon as a language is chosen (a button without JavaScript).
  document.addEventListener("change", function (event) {
    if (event.target.matches("select[data-submit-on-change]")) event.target.form.submit();
  });

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) {
      window.print();
      return;
    }
    // A cargo line removed from the declaration is marked for deletion and hidden: the form
    // still sends it, so the server drops it and the line numbers of the others hold.
    var remove = event.target.closest(".cargo-line .remove-line");
    if (remove) {
      var row = remove.closest(".cargo-line");
      row.querySelector("input[name$=DELETE]").checked = true;
      row.hidden = true;
    }
  });

  // A form that cannot be undone (removing a trip's document) asks first; without JavaScript
  // it is sent as is.
  document.addEventListener("submit", function (event) {
    var question = event.target.getAttribute("data-confirm");
    if (question && !window.confirm(question)) event.preventDefault();
  });

  // A list whose filters were refused (400) shows the refusal beside the filters, in place.
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (event.target.closest("[data-swap-refusals]") && event.detail.xhr.status === 400) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // A button's htmx request the server refused (a 4xx with its sentence, as text/plain) or that
  // never reached it (no signal at the border) swapped nothing: the tap did nothing a person could
  // see. It says why beside the button, until the button works. The gate console and a list's
  // filters show their own refusals.
  var OWN_REFUSALS = ".console, #card, [data-swap-refusals]";
  function sayBeside(button, text) {
    var note = button.nextElementSibling;
    if (!note || !note.matches("[data-request-refused]")) {
      note = document.createElement("p");
      note.className = "error";
      note.setAttribute("role", "alert");
      note.setAttribute("data-request-refused", "");
      button.insertAdjacentElement("afterend", note);
    }
    note.textContent = text;
  }
  function refusedButton(event) {
    var elt = event.detail.elt;
    return elt.matches("button, a") && !elt.closest(OWN_REFUSALS) ? elt : null;
  }
  document.addEventListener("htmx:responseError", function (event) {
    var button = refusedButton(event);
    if (!button) return;
    var xhr = event.detail.xhr;
    var plain = (xhr.getResponseHeader("Content-Type") || "").indexOf("text/plain") === 0;
    // A page (a 403, a 500) is never put beside the button: its HTML, as text, is no sentence.
    var said = xhr.status < 500 && plain ? xhr.responseText.trim() : "";
    sayBeside(button, said || document.body.getAttribute("data-request-failed"));
  });
  document.addEventListener("htmx:sendError", function (event) {
    var button = refusedButton(event);
    if (button) sayBeside(button, document.body.getAttribute("data-request-unsent"));
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var note = event.detail.successful && event.detail.elt.nextElementSibling;
    if (note && note.matches("[data-request-refused]")) note.remove();
  });

  // A table's scroll box is a tab stop (the keyboard scrolls it with the arrows) only while
  // its table is wider than the box: a table that fits is no stop to tab through.
  function scrollStops() {
    document.querySelectorAll(".table-scroll").forEach(function (box) {
      if (box.scrollWidth > box.clientWidth + 1) box.setAttribute("tabindex", "0");
      else box.removeAttribute("tabindex");
    });
  }
  document.addEventListener("DOMContentLoaded", scrollStops);
  window.addEventListener("resize", scrollStops);
  document.addEventListener("htmx:afterSettle", scrollStops);
  document.addEventListener("toggle", scrollStops, true); // a table in a <details> opened
})();
