// The profile page's "Copy" button beside a new token's secret (shown once): a file of the
// site's own, as the Content-Security-Policy runs no inline script. Without a clipboard (an
// insecure context, an old browser) the button stays hidden and the secret is selected by hand.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("button[data-copy]").forEach(function (button) {
      if (navigator.clipboard) button.hidden = false;
    });
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-copy]");
    if (!button) return;
    var source = document.querySelector(button.getAttribute("data-copy"));
    if (!source || !navigator.clipboard) return;
    navigator.clipboard.writeText(source.textContent.trim()).then(function () {
      button.textContent = button.getAttribute("data-copied");
    });
  });
})();
