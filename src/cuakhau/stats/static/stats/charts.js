/* The dashboard's charts, made interactive.
 *
 * Each chart is first an SVG drawn on the server (it works without JavaScript and prints).
 * This script replaces it on screen with a Chart.js chart (through Chartkick, both from the
 * chartkick wheel) drawn from the same figures, which the page embeds as JSON next to it
 * (``json_script``): series names already in the reader's language, numbers in the page's
 * separators. The SVG stays in the page for printing (see dashboard.css).
 */
(function () {
  "use strict";

  function options(spec) {
    var many = spec.series.length > 1;
    return {
      thousands: spec.thousands,
      decimal: spec.decimal,
      suffix: spec.unit ? " " + spec.unit : "",
      stacked: spec.stacked,
      discrete: true,
      legend: many || spec.type === "PieChart" ? "bottom" : false,
      height: spec.type === "BarChart" ? Math.max(220, 36 * spec.labels.length) + "px" : "300px",
      library: { animation: false, maintainAspectRatio: false }
    };
  }

  function data(spec) {
    function points(series) {
      return spec.labels.map(function (label, index) { return [label, series.data[index]]; });
    }
    if (spec.type === "PieChart") return points(spec.series[0]);
    return spec.series.map(function (series) {
      return { name: series.name, data: points(series) };
    });
  }

  function draw(figure) {
    var source = document.getElementById(figure.getAttribute("data-chart"));
    if (!source || figure.classList.contains("is-live")) return;
    var spec = JSON.parse(source.textContent);
    var live = document.createElement("div");
    live.className = "stats-live";
    live.id = figure.getAttribute("data-chart") + "-live";
    figure.appendChild(live);
    var opts = options(spec);
    live.style.height = opts.height;
    new window.Chartkick[spec.type](live, data(spec), opts);
    figure.classList.add("is-live");
  }

  function start() {
    if (!window.Chartkick || !window.Chart) return; // the server's SVG stays
    var figures = document.querySelectorAll("figure[data-chart]");
    for (var i = 0; i < figures.length; i++) {
      try {
        draw(figures[i]);
      } catch (error) {
        figures[i].classList.remove("is-live"); // keep the SVG
      }
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
