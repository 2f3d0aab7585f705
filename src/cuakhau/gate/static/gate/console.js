// The booth's console keeps up when the network drops.
// - After every answer the scan field is emptied and focused, ready for the next truck.
// - It keeps a copy of the gate's trucks of the day (the snapshot), so a look-up by plate,
//   trip reference or receipt QR still answers offline, marked as such with the copy's age.
// - Check-ins and exits that cannot reach the server are queued with an id made here and the
//   tablet's own time, and sent when the network is back; the server applies each exactly once
//   and says whether it did, or why not. A button pressed online whose answer was lost is
//   queued under the id its press carried: the server answers it as done if it was. Each
//   carries who queued it: only the operator signed
//   in sends their own (a shared tablet's queue is never sent under the next shift's name);
//   another's stays queued, shown as theirs, until they sign in here again.
// - A service worker keeps the page itself, so it loads offline too, while its operator is the
//   one signed in (the server's signed-in cookie says who is): signed out, the kept pages go,
//   and a page loaded anyway queues nothing. The queue itself stays, for its operator.
// Every word shown comes translated from the page (the console-config JSON): none is written here.
(function () {
  "use strict";
  const form = document.getElementById("console-form");
  if (!form) return;
  const $ = (id) => document.getElementById(id);
  const CONFIG = JSON.parse($("console-config").textContent);
  const T = CONFIG.texts;
  const ME = CONFIG.operator || {};
  const QUEUE = "cuakhau-gate-queue-" + CONFIG.gate;
  const SENT = "cuakhau-gate-sent-" + CONFIG.gate;
  const SNAPSHOT = "cuakhau-gate-snapshot-" + CONFIG.gate;
  const SNAPSHOT_EVERY_MS = 5 * 60 * 1000;
  const scanField = form.querySelector("[name=scan]");
  const api = (window.cuakhauConsole = { shellReady: false });

  // ---- words, numbers and times ------------------------------------------------------------
  const fmt = (text, values) =>
    text.replace(/%\((\w+)\)s/g, (whole, name) => (name in values ? String(values[name]) : whole));
  const plural = (forms, n) => fmt(n === 1 ? forms.one : forms.other, { n: n });
  // Times as the pages write them: Django's formats of the page's language and its month names
  // (snapshot.clock_formats), on the gate's clock, never the browser's idea of the language.
  const FORMATS = CONFIG.formats;
  const zoneParts = new Intl.DateTimeFormat("en-US", {
    year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric",
    second: "numeric", hourCycle: "h23", timeZone: CONFIG.time_zone,
  });
  const pad = (n) => String(n).padStart(2, "0");
  function djangoDate(format, iso) {
    const moment = new Date(iso);
    if (Number.isNaN(moment.getTime())) return "?";
    const p = {};
    for (const part of zoneParts.formatToParts(moment)) p[part.type] = Number(part.value);
    const hour = p.hour % 24;
    const numbers = {
      d: pad(p.day), j: p.day, m: pad(p.month), n: p.month, Y: p.year, y: pad(p.year % 100),
      H: pad(hour), G: hour, i: pad(p.minute), s: pad(p.second),
    };
    let out = "";
    for (let k = 0; k < format.length; k++) {
      const c = format[k];
      if (c === "\\") out += format[++k] || "";
      else if (Object.prototype.hasOwnProperty.call(numbers, c)) out += numbers[c];
      else if (Object.prototype.hasOwnProperty.call(FORMATS.months, c)) out += FORMATS.months[c][p.month - 1];
      else out += c;
    }
    return out;
  }
  const timeOf = (iso) => djangoDate(FORMATS.time, iso);
  const dayTimeOf = (iso) => djangoDate(FORMATS.datetime, iso);
  function age(ms) {
    const minutes = Math.floor(Math.max(0, ms) / 60000);
    if (minutes < 1) return T.age_now;
    if (minutes < 120) return plural(T.minutes, minutes);
    return plural(T.hours, Math.floor(minutes / 60));
  }

  // ---- who is signed in ------------------------------------------------------------------------
  // The server keeps a cookie saying whose session this browser has (the session's own cannot be
  // read here): a copy of the page kept from before a sign-out names someone no longer signed in.
  function signedInId() {
    const name = CONFIG.signed_in_cookie + "=";
    const cookie = document.cookie.split("; ").find((c) => c.startsWith(name));
    return cookie ? decodeURIComponent(cookie.slice(name.length)) : "";
  }
  const signedIn = () => ME.id !== undefined && signedInId() === String(ME.id);
  // Every gate's console page kept for offline use, dropped (as the service worker drops them).
  async function dropConsolePages() {
    if (!window.caches) return;
    const isConsole = (url) => /^\/gate\/[^/]+\/console\/$/.test(new URL(url).pathname);
    for (const name of (await caches.keys()).filter((n) => n.startsWith("cuakhau-console-"))) {
      const cache = await caches.open(name);
      for (const request of await cache.keys()) if (isConsole(request.url)) await cache.delete(request);
    }
  }
  // The server said the session is over: this page's operator is no longer signed in here.
  function signedOut() {
    document.cookie = CONFIG.signed_in_cookie + "=; Max-Age=0; Path=/; SameSite=Lax";
    return dropConsolePages().catch(() => null);
  }
  api.signedIn = signedIn;

  // ---- storage -----------------------------------------------------------------------------
  function read(key, fallback) {
    try {
      const value = JSON.parse(localStorage.getItem(key));
      return value === null ? fallback : value;
    } catch (error) {
      return fallback;
    }
  }
  function write(key, value) {
    try {
      localStorage.setItem(key, JSON.stringify(value));
    } catch (error) {
      // A full or disabled storage: the page still works online.
    }
  }

  // ---- identifiers, folded as the server folds them ------------------------------------------
  // reference.validators.canonical_ascii: NFKC, every script's digits as ASCII (the server's
  // table of each script's zero), Python's whitespace stripped, upper case.
  const ZEROS = CONFIG.digit_zeros;
  const SPACE = "\\t\\n\\v\\f\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
  const EDGES = new RegExp("^[" + SPACE + "]+|[" + SPACE + "]+$", "g");
  const PLATE_SEPARATORS = new RegExp("[" + SPACE + "\\-.·•・_]+", "g");
  const REFERENCE_SEPARATORS = new RegExp("[" + SPACE + "\\-_.]", "g");
  const REFERENCE_SHAPE = /^([A-Z]{3})([0-9A-Z]{6})([0-9A-Z*])$/;
  function digitOf(cp) {
    let low = 0;
    let high = ZEROS.length - 1;
    while (low <= high) {
      const mid = (low + high) >> 1;
      if (ZEROS[mid] <= cp) low = mid + 1;
      else high = mid - 1;
    }
    const zero = high >= 0 ? ZEROS[high] : -1;
    return zero >= 0 && cp - zero <= 9 ? cp - zero : -1;
  }
  function canonicalAscii(value) {
    let out = "";
    for (const c of (value || "").normalize("NFKC")) {
      const cp = c.codePointAt(0);
      const digit = cp > 0x7f ? digitOf(cp) : -1;
      out += digit >= 0 ? String(digit) : c;
    }
    return out.replace(EDGES, "").toUpperCase();
  }
  const plateKey = (value) => canonicalAscii(value).replace(PLATE_SEPARATORS, "");
  function referenceOf(value) {
    const m = canonicalAscii(value).replace(REFERENCE_SEPARATORS, "").match(REFERENCE_SHAPE);
    return m ? m[1] + "-" + m[2] + m[3] : null;
  }
  const isJws = (text) => text.split(".").length === 3 && text.length > 60;
  api.plateKey = plateKey;
  api.referenceOf = referenceOf;

  // ---- weights typed at the booth, read as the page writes numbers -----------------------------
  // core.inputs.read_local_number: "24.300" on a Vietnamese page is 24,300 kg, and a separator
  // not where the page's language puts it is refused, never guessed. The API reads plain
  // numbers only: a queued weight is sent as one, and refused here, beside its field, before
  // the truck's action is queued rather than after the network is back.
  const NUMBERS = CONFIG.numbers;
  const GROUP_SPACES = /[ \u00a0\u202f\u2009\u3000]/g;
  // core.inputs.number_as_typed: the marks a Chinese input method types in its wide mode
  // ("２４，３００．５") and the typeset minus sign, as the narrow ones the page writes.
  const WIDE_MARKS = { "\uff0c": ",", "\uff0e": ".", "\uff0d": "-", "\uff0b": "+", "\u2212": "-" };
  const WIDE = /[\uff0c\uff0e\uff0d\uff0b\u2212]/g;
  function foldDigits(text) {
    let out = "";
    for (const c of text) {
      const cp = c.codePointAt(0);
      const digit = cp > 0x7f ? digitOf(cp) : -1;
      out += digit >= 0 ? String(digit) : c;
    }
    return out;
  }
  function plainNumber(text) {
    let compact = foldDigits(text.trim())
      .replace(WIDE, (mark) => WIDE_MARKS[mark])
      .replace(GROUP_SPACES, "");
    // A minus only: "+24300" is refused as the server refuses it (core.inputs.plain_number).
    let sign = "";
    if (compact.startsWith("-")) {
      sign = "-";
      compact = compact.slice(1);
    }
    const at = compact.indexOf(NUMBERS.decimal);
    const whole = at < 0 ? compact : compact.slice(0, at);
    const fraction = at < 0 ? "" : compact.slice(at + NUMBERS.decimal.length);
    const groups = NUMBERS.group ? whole.split(NUMBERS.group) : [whole];
    const misplaced = [NUMBERS.decimal, NUMBERS.group].some((mark) => mark && fraction.includes(mark));
    const grouped = groups.length === 1 ||
      (groups[0].length >= 1 && groups[0].length <= 3 && groups.slice(1).every((g) => g.length === 3));
    if (misplaced || !grouped) return { error: T.number_separators };
    const plain = sign + groups.join("") + (at < 0 ? "" : "." + fraction);
    if (!/^-?([0-9]+\.?[0-9]*|\.[0-9]+)$/.test(plain)) return { error: T.enter_number };
    return { value: plain };
  }
  api.plainNumber = plainNumber;
  // The weights of the form as the API takes them, or each refusal by its field's name.
  function typedWeights() {
    const values = {};
    const errors = {};
    for (const name of Object.keys(CONFIG.weights)) {
      const typed = (form.querySelector("[name=" + name + "]") || {}).value || "";
      if (!typed.trim()) continue;
      const read = plainNumber(typed);
      if (read.error) {
        errors[name] = read.error;
        continue;
      }
      const rule = CONFIG.weights[name];
      const kg = Number(read.value);
      const places = (read.value.split(".")[1] || "").replace(/0+$/, "").length;
      if (places > rule.places) errors[name] = T.decimal_places;
      else if (!(kg >= rule.low && kg <= rule.high)) errors[name] = T.weight_range[name];
      else values[name] = read.value;
    }
    if (values.tare_kg && !values.gross_kg && !errors.gross_kg) errors.gross_kg = T.gross_too;
    else if (values.tare_kg && values.gross_kg && Number(values.tare_kg) >= Number(values.gross_kg)) {
      errors.tare_kg = T.tare_below;
    }
    return { values, errors };
  }
  // Each refusal under its field, as the page's forms show theirs. The server's own (sent with
  // a card, id_<name>_error) go too: each answer marks only what it refuses.
  function showFieldErrors(errors) {
    for (const field of form.querySelectorAll("#console-fields [name]")) {
      const name = field.name;
      const box = field.closest(".field");
      const id = "offline-error-" + name;
      const old = document.getElementById(id);
      if (old) old.remove();
      const served = document.getElementById(field.id + "_error");
      if (served) served.replaceChildren();
      if (field.getAttribute("aria-describedby") === field.id + "_error") {
        field.removeAttribute("aria-describedby");
      }
      box.classList.toggle("has-error", name in errors);
      if (name in errors) {
        box.append(element("p", { className: "error", id: id }, errors[name]));
        field.setAttribute("aria-invalid", "true");
        field.setAttribute("aria-describedby", id);
      } else {
        field.removeAttribute("aria-invalid");
        if (field.getAttribute("aria-describedby") === id) field.removeAttribute("aria-describedby");
      }
    }
    const names = Object.keys(errors);
    if (names.length) form.querySelector("[name=" + names[0] + "]").focus();
    return names.length === 0;
  }
  api.plainNumber = plainNumber;

  // ---- the network state, announced ----------------------------------------------------------
  const netStatus = $("net-status");
  let online = navigator.onLine;
  function setNetwork(up) {
    const changed = up !== online;
    online = up;
    netStatus.textContent = up ? (changed ? T.back_online : T.online) : T.offline;
    netStatus.classList.toggle("offline", !up);
  }

  // ---- ready for the next truck --------------------------------------------------------------
  function ready({ truckDone = false } = {}) {
    scanField.value = "";
    if (truckDone) {
      for (const name of ["yard_position", "gross_kg", "tare_kg", "plate_seen"]) {
        const field = form.querySelector("[name=" + name + "]");
        if (field) field.value = "";
      }
      showFieldErrors({});
    }
    scanField.focus();
  }

  // ---- the snapshot: today's trucks of this gate ---------------------------------------------
  function showSnapshot() {
    const snap = read(SNAPSHOT, null);
    $("snapshot-status").textContent = snap
      ? fmt(T.snapshot_saved, {
          time: dayTimeOf(snap.generated_at),
          count: plural(T.trucks, snap.trips.length),
        })
      : "";
  }
  async function refreshSnapshot() {
    try {
      const response = await fetch(CONFIG.snapshot_url, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
        cache: "no-store",
      });
      if (response.ok && (response.headers.get("Content-Type") || "").includes("json")) {
        const snap = await response.json();
        snap.saved_at = new Date().toISOString();
        write(SNAPSHOT, snap);
        setNetwork(true);
      }
    } catch (error) {
      // The server cannot be reached, whatever navigator.onLine says (a gate's network is
      // often up to the switch and down beyond it): offline, and the copy kept answers.
      setNetwork(false);
    }
    showSnapshot();
  }

  function tripByScan(text, snap) {
    text = (text || "").trim();
    if (!snap || !text) return null;
    if (isJws(text)) {
      const number = receiptNumberOf(text);
      return snap.trips.find((t) => t.receipts.some((r) => r.number === number)) || null;
    }
    const reference = referenceOf(text);
    if (reference) return snap.trips.find((t) => t.reference === reference) || null;
    // As gate.services.find: of the trucks with this plate, the one expected nearest now.
    const key = plateKey(text);
    const now = Date.now();
    let best = null;
    for (const trip of snap.trips) {
      if (!trip.plate_keys.includes(key)) continue;
      const distance = Math.abs(Date.parse(trip.expected_arrival) - now);
      if (!best || distance < best.distance) best = { trip, distance };
    }
    return best ? best.trip : null;
  }

  // ---- receipts: the signature checked with the published keys, as /receipts/offline/ does ---
  function b64decode(text) {
    if (!/^[A-Za-z0-9_-]+$/.test(text)) throw new Error("not base64url");
    const padded = text.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (text.length % 4)) % 4);
    return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
  }
  const jsonOf = (part) => JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(b64decode(part)));
  function receiptNumberOf(token) {
    try {
      const claims = jsonOf(token.split(".")[1]);
      return typeof claims.rcp === "string" ? claims.rcp : null;
    } catch (error) {
      return null;
    }
  }
  // status: verified | not_verified | forged | revoked_key | unknown_key | malformed | wrong_gate
  async function checkReceipt(token, snap) {
    let header, claims, signature;
    const parts = token.split(".");
    try {
      header = jsonOf(parts[0]);
      claims = jsonOf(parts[1]);
      signature = b64decode(parts[2]);
    } catch (error) {
      return { status: "malformed", number: null };
    }
    const number = typeof claims.rcp === "string" ? claims.rcp : null;
    if (header.alg !== "EdDSA" || signature.length !== 64 || !number) return { status: "malformed", number };
    if (snap.revoked_kids.includes(header.kid)) return { status: "revoked_key", number };
    const jwk = (snap.jwks.keys || []).find((k) => k.kid === header.kid);
    if (!jwk) return { status: "unknown_key", number };
    let good;
    try {
      const key = await crypto.subtle.importKey(
        "jwk", { kty: "OKP", crv: "Ed25519", x: jwk.x }, { name: "Ed25519" }, false, ["verify"]);
      good = await crypto.subtle.verify(
        { name: "Ed25519" }, key, signature, new TextEncoder().encode(parts[0] + "." + parts[1]));
    } catch (error) {
      // No Ed25519 in this browser: the receipt is recognised by its number, and said so.
      return { status: "not_verified", number };
    }
    if (!good) return { status: "forged", number };
    if (claims.gte !== snap.gate) return { status: "wrong_gate", number, gate: String(claims.gte || "?").toUpperCase() };
    return { status: "verified", number };
  }

  // ---- the offline answer ------------------------------------------------------------------
  async function offlineAnswer(text, plateSeen) {
    const snap = read(SNAPSHOT, null);
    if (!snap) return { snap: null, trip: null, problems: [T.no_snapshot], notes: [], action: null };
    const problems = [];
    const notes = [];
    const trip = tripByScan(text, snap);
    if (isJws(text)) {
      const receipt = await checkReceipt(text, snap);
      const n = receipt.number || "?";
      if (receipt.status === "verified") notes.push(fmt(T.receipt_verified, { n }));
      else if (receipt.status === "not_verified") notes.push(fmt(T.receipt_not_verified, { n }));
      else if (receipt.status === "wrong_gate") problems.push(fmt(T.receipt_wrong_gate, { gate: receipt.gate }));
      else problems.push(T["receipt_" + receipt.status]);
      const held = trip && trip.receipts.find((r) => r.number === receipt.number);
      if (held && held.state !== "valid" && !(held.state === "used" && trip.status === "cleared")) {
        problems.push(fmt(T["receipt_" + held.state], { n }));
      }
      if (!trip && receipt.number && receipt.status !== "wrong_gate") problems.push(fmt(T.receipt_unknown, { n }));
    }
    if (!trip) {
      if (!problems.length) problems.push(fmt(T.not_found, { text: text.slice(0, 40) }));
      return { snap, trip: null, problems, notes, action: null };
    }
    let action = null;
    if (trip.status === "submitted") problems.push(T.unpaid);
    if (trip.status === "arrived") problems.push(fmt(T.inside, { at: dayTimeOf(trip.arrived_at) }));
    if (trip.status === "paid" || trip.status === "cleared") {
      if (!trip.receipts.some((r) => r.state === "valid")) problems.push(T.no_receipt);
      action = trip.status === "paid" ? "check_in" : "exit";
    }
    if (plateSeen && !trip.plate_keys.includes(plateKey(plateSeen))) {
      problems.push(fmt(T.plate_mismatch, { seen: plateSeen, declared: trip.tractor_plate }));
    }
    // The copy knows nothing of what was queued here since: a truck whose check-in or exit
    // waits in the queue is not offered it again (a scanner reading a code twice, a second
    // look): sent, the second was refused, and a second exit flagged its receipt as presented
    // again after its use.
    const waiting = loadQueue().find((item) => queuedTripOf(item, snap) === trip.reference);
    if (waiting) problems.push(fmt(T.already_queued, { what: describe(waiting) }));
    return { snap, trip, problems, notes, action: problems.length ? null : action };
  }

  function element(tag, attrs, text) {
    const node = document.createElement(tag);
    Object.assign(node, attrs || {});
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function renderOffline(answer, text) {
    const card = $("card");
    const ok = answer.action && !answer.problems.length;
    const section = element("section", { className: "card verdict offline " + (ok ? "ok" : "bad"), id: "result-offline" });
    section.append(element("p", { className: "badge offline-answer", id: "offline-answer" }, T.offline_answer));
    if (answer.snap) {
      const made = answer.snap.saved_at || answer.snap.generated_at;
      section.append(element("p", { className: "hint", id: "offline-age" },
        fmt(T.snapshot_age, { age: age(Date.now() - Date.parse(made)), time: dayTimeOf(made) })));
    }
    const trip = answer.trip;
    if (trip) {
      const heading = element("h2", { className: "ref" }, trip.reference + " ");
      heading.append(element("span", { className: "badge " + trip.status }, T.statuses[trip.status] || ""));
      section.append(heading);
      const line = element("p");
      line.append(element("strong", {}, trip.tractor_plate));
      const rest = [trip.trailer_plate ? " / " + trip.trailer_plate : "", " · " + (T.directions[trip.direction] || ""),
        " · " + fmt(T.expected, { at: dayTimeOf(trip.expected_arrival) })];
      line.append(rest.join(""));
      section.append(line);
    }
    if (answer.problems.length) {
      const list = element("ul", { className: "problems" });
      for (const problem of answer.problems) list.append(element("li", { className: "problem" }, "⚠ " + problem));
      section.append(list);
    }
    for (const note of answer.notes) section.append(element("p", { className: "hint" }, note));
    if (ok) {
      const button = element("button", { className: "primary big", type: "button", id: "offline-" + answer.action },
        answer.action === "check_in" ? T.check_in_offline : T.exit_offline);
      button.addEventListener("click", () => {
        const item = queue(answer.action, text, trip);
        if (!item) return; // a weight to correct: the card and its button stay
        showQueued(item);
        ready({ truckDone: true });
      });
      section.append(button);
    }
    card.replaceChildren(section);
  }

  async function lookUpOffline(text) {
    const plateSeen = (form.querySelector("[name=plate_seen]") || {}).value || "";
    const answer = await offlineAnswer(text, plateSeen);
    if (answer.trip && !signedIn()) {
      // A page kept from a session now over: nothing is queued in its operator's name.
      answer.problems.push(T.signed_out);
      answer.action = null;
    }
    renderOffline(answer, text);
    ready();
  }

  function showSignedOut() {
    const section = element("section", { className: "card verdict bad", id: "result-signed-out" });
    section.append(element("p", { className: "problem" }, "⚠ " + T.signed_out));
    $("card").replaceChildren(section);
  }

  // ---- the queue -------------------------------------------------------------------------------
  const csrfToken = () => {
    const cookie = document.cookie.split("; ").find((c) => c.startsWith("csrftoken="));
    return cookie ? decodeURIComponent(cookie.slice(10)) : form.querySelector("[name=csrfmiddlewaretoken]").value;
  };
  const loadQueue = () => read(QUEUE, []).map((item) => (item.event ? item : { event: item, what: null }));
  // Who queued an action: by id, which a rename leaves. One queued before the console sent ids
  // names its operator by username; one queued before it named anyone is anyone's, as it was.
  const mine = (item) =>
    item.event.operator_id !== undefined
      ? item.event.operator_id === ME.id
      : !item.event.operator || item.event.operator === ME.username;

  // The trip a queued action is for: as queued, or (queued before it was kept) found again.
  function queuedTripOf(item, snap) {
    if (item.what && item.what.trip) return item.what.trip;
    const found = tripByScan(item.event.scan, snap);
    return found ? found.reference : null;
  }

  function describe(item) {
    const what = item.what || { kind: item.event.kind, plate: item.event.scan, lane: item.event.lane, at: item.event.occurred_at };
    const template = T[what.kind + (what.lane ? "_lane" : "")] || T[what.kind] || what.kind;
    return fmt(template, { plate: what.plate, lane: what.lane || "", time: timeOf(what.at) });
  }

  // The queued action, or null when a weight typed is refused (said beside its field).
  // ``pressed``: the button pressed online whose answer never came, its id and time: the
  // request may have reached the server, and the action queued is that same one (the server
  // answers it as done, never as a second check-in or a receipt presented again).
  function queue(kind, text, trip, pressed) {
    if (!signedIn()) {
      showSignedOut();
      return null;
    }
    const field = (name) => (form.querySelector("[name=" + name + "]") || {}).value || "";
    const weights = typedWeights();
    if (!showFieldErrors(weights.errors)) return null;
    const at = pressed ? pressed.at : new Date().toISOString();
    const found = trip || tripByScan(text, read(SNAPSHOT, null));
    const item = {
      event: {
        client_id: pressed ? pressed.id : crypto.randomUUID(),
        kind: kind,
        occurred_at: at,
        device_id: "console-" + (localStorage.getItem("cuakhau-device") || "booth"),
        scan: text,
        lane: field("lane") || null,
        yard_position: field("yard_position"),
        plate_seen: field("plate_seen"),
        gross_kg: weights.values.gross_kg || null,
        tare_kg: weights.values.tare_kg || null,
        operator_id: ME.id || null,
      },
      by: ME.name || ME.username || null,
      what: {
        kind: kind, plate: found ? found.tractor_plate : text.slice(0, 20), lane: field("lane") || null, at: at,
        trip: found ? found.reference : null,
      },
    };
    for (const name of ["lane", "gross_kg", "tare_kg", "operator_id"]) if (!item.event[name]) delete item.event[name];
    const items = loadQueue();
    items.push(item);
    write(QUEUE, items);
    showQueue();
    return item;
  }

  function showQueued(item) {
    const section = element("section", { className: "card verdict queued", id: "result-queued" });
    section.append(element("h2", {}, fmt(T.queued, { what: describe(item) })));
    $("card").replaceChildren(section);
  }

  function showQueue() {
    const items = loadQueue();
    $("queue").hidden = !items.length;
    $("queue-status").textContent = items.length ? plural(T.waiting, items.length) : "";
    $("queue-list").replaceChildren(
      ...items.map((item) =>
        mine(item)
          ? element("li", {}, describe(item))
          : element("li", { className: "others" },
              describe(item) + " — " + fmt(T.queued_by_other, { name: item.by || item.event.operator || "?" }))));
    const sent = read(SENT, []);
    $("sent").hidden = !sent.length;
    $("sent-heading").textContent = T.sent_heading;
    $("sent-clear").textContent = T.dismiss;
    $("sent-list").replaceChildren(
      ...sent.map((s) => element("li", { className: s.ok ? "confirmed" : "refused" },
        s.ok ? fmt(T.confirmed, { what: s.what }) : fmt(T.refused, { what: s.what, why: s.why }))));
  }

  function settle(item, ok, why) {
    write(QUEUE, loadQueue().filter((i) => i.event.client_id !== item.event.client_id));
    const sent = read(SENT, []);
    sent.unshift({ what: describe(item), ok: ok, why: why || "" });
    write(SENT, sent.slice(0, 50));
  }

  function reasonOf(body) {
    if (!body) return "";
    if (Array.isArray(body.detail)) return body.detail.map((d) => d.msg).join("; ");
    if (Array.isArray(body.problems) && body.problems.length) return body.problems.map((p) => p.message).join("; ");
    return String(body.detail || "");
  }
  // The server's refusal of an action queued by someone else than the session's operator: this
  // page names another than the one signed in (a copy kept offline). Kept, never settled.
  const refusedAsOthers = (body) =>
    !!body && Array.isArray(body.detail) && body.detail.some((d) => (d.loc || []).some((at) => at === "operator" || at === "operator_id"));

  let flushing = false;
  async function flush() {
    if (flushing) return;
    // Only the signed-in operator's own actions: another's wait for them to sign in here.
    const items = loadQueue().filter(mine);
    if (!items.length) return showQueue();
    flushing = true;
    try {
      // One event a request: a refusal of one (even a 422) is that event's answer only.
      for (const item of items) {
        let response;
        try {
          response = await fetch(CONFIG.events_url, {
            method: "POST",
            headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
            body: JSON.stringify([item.event]),
            credentials: "same-origin",
          });
        } catch (error) {
          break; // still offline: the queue waits
        }
        setNetwork(true);
        if (response.ok) {
          const [result] = await response.json();
          settle(item, result.accepted, (result.problems || []).map((p) => p.message).join("; "));
        } else if (response.status === 401 || response.status === 403) {
          if (response.status === 401) await signedOut();
          $("queue-status").textContent = T.sign_in_again;
          return;
        } else if (response.status >= 400 && response.status < 500 && response.status !== 429) {
          const body = await response.json().catch(() => null);
          if (refusedAsOthers(body)) break; // kept for the operator who queued it
          settle(item, false, reasonOf(body));
        } else {
          break; // the server is busy: later
        }
      }
    } finally {
      flushing = false;
      if ($("queue-status").textContent !== T.sign_in_again) showQueue();
    }
    refreshSnapshot();
  }
  api.flush = flush;

  // ---- htmx: answers online, and what to do when the request cannot reach the server ---------
  const actionOf = (path) => {
    const match = (path || "").match(/console\/(check_in|exit)\/$/);
    return match ? match[1] : null;
  };
  const isScan = (path) => /console\/scan\/$/.test(path || "");
  const cardScan = () => {
    const hidden = $("card-scan");
    return hidden ? hidden.value : "";
  };

  // Each press of the card's button online carries an id of its own (``done_online``).
  let pressed = null;
  document.body.addEventListener("htmx:configRequest", (event) => {
    if (!actionOf(event.detail.path)) return;
    pressed = { id: crypto.randomUUID(), at: new Date().toISOString() };
    event.detail.parameters.action_id = pressed.id;
  });

  // The online card's button pressed with no network: queued, unless a weight is refused.
  function queueFromCard(action) {
    const item = queue(action, cardScan(), null, pressed);
    if (!item) return;
    showQueued(item);
    ready({ truckDone: true });
  }

  document.body.addEventListener("htmx:beforeRequest", (event) => {
    const path = event.detail.requestConfig.path;
    if (/\/console\/[a-z_]+\/$/.test(path || "")) showFieldErrors({});
    if (navigator.onLine) return;
    // Known to be offline: answer at once rather than wait for the request to fail.
    if (isScan(path)) {
      event.preventDefault();
      lookUpOffline(scanField.value);
    } else if (actionOf(path)) {
      event.preventDefault();
      queueFromCard(actionOf(path));
    }
  });
  document.body.addEventListener("htmx:sendError", (event) => {
    const path = event.detail.requestConfig.path;
    setNetwork(false);
    if (isScan(path)) {
      const values = event.detail.requestConfig.parameters || {};
      lookUpOffline(typeof values.get === "function" ? values.get("scan") : values.scan || scanField.value);
    } else if (actionOf(path)) {
      queueFromCard(actionOf(path));
    }
  });
  document.body.addEventListener("htmx:afterSwap", (event) => {
    if (event.detail.target.id !== "card") return;
    setNetwork(true);
    const done = !!$("result-done");
    ready({ truckDone: done });
    if (done) refreshSnapshot();
    // A refused field, marked beside it by the answer: the operator puts it right first.
    const refused = form.querySelector("#console-fields [aria-invalid=true]");
    if (refused) refused.focus();
  });
  document.body.addEventListener("htmx:responseError", () => ready());

  window.addEventListener("online", () => {
    setNetwork(true);
    flush();
  });
  window.addEventListener("offline", () => setNetwork(false));
  $("sent-clear").addEventListener("click", () => {
    write(SENT, []);
    showQueue();
    ready();
  });
  setInterval(() => {
    if (navigator.onLine) refreshSnapshot();
  }, SNAPSHOT_EVERY_MS);
  setInterval(flush, 15000);

  // Signing out here: once the server has ended the session, this operator's pages kept for
  // offline use go (the queue stays). A sign-out that cannot reach the server ends nothing, and
  // the operator, still signed in, keeps their offline console.
  const logout = document.querySelector("form.menu-logout");
  if (logout) {
    logout.addEventListener("submit", async (event) => {
      event.preventDefault();
      let response;
      try {
        response = await fetch(logout.action, { method: "POST", body: new FormData(logout), credentials: "same-origin" });
      } catch (error) {
        setNetwork(false);
        return;
      }
      if (!response.ok) return logout.submit(); // the server's own page says why
      await dropConsolePages().catch(() => null);
      location.assign(response.url);
    });
  }

  online = navigator.onLine;
  setNetwork(online);
  if (!signedIn()) {
    // Loaded from a copy kept before this operator's session ended.
    dropConsolePages().catch(() => null);
    if (!online) showSignedOut();
  }
  showQueue();
  showSnapshot();
  if (online) {
    refreshSnapshot();
    flush();
  }

  // ---- the app shell: this page and what it loads, for the service worker to serve offline ----
  async function keepShell() {
    const cache = await caches.open(CONFIG.shell_cache);
    const own = [location.pathname];
    document.querySelectorAll("script[src], link[href]").forEach((node) => {
      const url = new URL(node.getAttribute("src") || node.getAttribute("href"), location.href);
      if (url.origin === location.origin && !own.includes(url.pathname + url.search)) own.push(url.pathname + url.search);
    });
    await Promise.all(own.map((url) => cache.add(url).catch(() => null)));
    api.shellReady = true;
  }
  if ("serviceWorker" in navigator && window.caches) {
    navigator.serviceWorker
      .register(CONFIG.sw_url, { scope: CONFIG.sw_scope })
      .then(() => navigator.serviceWorker.ready)
      .then(() => (navigator.onLine ? keepShell() : (api.shellReady = true)))
      .catch(() => null);
  }

  // ---- the camera (where the browser reads QR codes itself) -----------------------------------
  if ("BarcodeDetector" in window && navigator.mediaDevices) {
    const button = $("camera-scan");
    button.hidden = false;
    button.addEventListener("click", async () => {
      const video = $("camera");
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
          scanField.value = codes[0].rawValue;
          htmx.trigger(form, "submit");
        } else {
          requestAnimationFrame(tick);
        }
      };
      tick();
    });
  }
})();
