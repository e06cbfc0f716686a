/* Sparklines of the home page overview: trends from #overview-data. Works when the panel is part of the page
   and when htmx swaps it in after the page has loaded (ECharts is then fetched on demand). */
(function () {
  function draw() {
    const src = document.getElementById("overview-data");
    if (!src) return;
    const figs = JSON.parse(src.textContent);
    document.querySelectorAll(".analysis-overview .spark").forEach(function (el) {
      const f = figs.find(x => x.key === el.dataset.key);
      if (!f || !f.trend || el.dataset.drawn) return;
      el.dataset.drawn = "1";
      echarts.init(el).setOption({grid: {left: 0, right: 0, top: 2, bottom: 2}, xAxis: {type: "category", show: false},
        yAxis: {type: "value", show: false}, series: [{type: "line", data: f.trend, symbol: "none", lineStyle: {width: 1.5},
        color: f.off ? "#b3261e" : "#1a73e8"}]});
    });
  }
  function start() {
    if (window.echarts) return draw();
    const s = document.createElement("script");
    s.src = document.getElementById("overview-echarts").dataset.src;
    s.onload = draw;
    document.head.appendChild(s);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
})();
