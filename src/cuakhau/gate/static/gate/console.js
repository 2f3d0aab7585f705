// The booth tablet keeps working when the network drops: actions that cannot reach the server
// are queued with an id made here and the tablet's own time, then sent when the network is
// back. The server applies each queued event exactly once.
(function () {
  const form = document.getElementById("console-form");
  if (!form) return;
  const QUEUE = "cuakhau-gate-queue-" + form.dataset.gate;
  const status = document.getElementById("net-status");
  const queueStatus = document.getElementById("queue-status");
  const csrf = form.querySelector("[name=csrfmiddlewaretoken]").value;

  const load = () => JSON.parse(localStorage.getItem(QUEUE) || "[]");
  const save = (items) => localStorage.setItem(QUEUE, JSON.stringify(items));
  const show = () => {
    const n = load().length;
    queueStatus.textContent = n ? n + " ⏳" : "";
    status.textContent = navigator.onLine ? status.dataset.online : status.dataset.offline;
  };

  function queue(kind) {
    const data = new FormData(form);
    const items = load();
    items.push({
      client_id: crypto.randomUUID(),
      kind: kind,
      occurred_at: new Date().toISOString(),
      device_id: "console-" + (localStorage.getItem("cuakhau-device") || "booth"),
      scan: data.get("scan"),
      lane: data.get("lane") || null,
      yard_position: data.get("yard_position") || "",
      plate_seen: data.get("plate_seen") || "",
      gross_kg: data.get("gross_kg") || null,
      tare_kg: data.get("tare_kg") || null,
    });
    save(items);
    show();
  }

  async function flush() {
    const items = load();
    if (!items.length || !navigator.onLine) return show();
    try {
      const response = await fetch(form.dataset.eventsUrl, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
        body: JSON.stringify(items),
        credentials: "same-origin",
      });
      if (response.ok) {
        const results = await response.json();
        const done = new Set(results.map((r) => r.client_id));
        save(load().filter((item) => !done.has(item.client_id)));
        const refused = results.filter((r) => !r.accepted && !r.duplicate);
        if (refused.length) {
          document.getElementById("card").innerHTML =
            '<section class="card verdict bad"><ul class="problems">' +
            refused.map((r) => "<li>⚠ " + (r.trip || "") + " " + r.problems.map((p) => p.message).join("; ") + "</li>").join("") +
            "</ul></section>";
        }
      }
    } catch (e) {
      /* still offline: keep the queue */
    }
    show();
  }

  // An action button whose request cannot reach the server is queued instead of lost.
  document.body.addEventListener("htmx:sendError", (event) => {
    const path = event.detail.requestConfig.path || "";
    const match = path.match(/console\/(check_in|exit)\//);
    if (match) {
      queue(match[1]);
      document.getElementById("card").innerHTML =
        '<section class="card verdict queued"><h2>⏳ ' + match[1] + "</h2></section>";
    }
  });
  window.addEventListener("online", flush);
  window.addEventListener("offline", show);
  setInterval(flush, 15000);
  show();
  flush();

  if ("BarcodeDetector" in window && navigator.mediaDevices) {
    const button = document.getElementById("camera-scan");
    button.hidden = false;
    button.addEventListener("click", async () => {
      const video = document.getElementById("camera");
      const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
      video.srcObject = stream;
      video.hidden = false;
      await video.play();
      const detector = new BarcodeDetector({ formats: ["qr_code"] });
      const tick = async () => {
        const codes = await detector.detect(video);
        if (codes.length) {
          stream.getTracks().forEach((t) => t.stop());
          video.hidden = true;
          form.querySelector("[name=scan]").value = codes[0].rawValue;
          htmx.trigger(form, "submit");
        } else {
          requestAnimationFrame(tick);
        }
      };
      tick();
    });
  }
})();
