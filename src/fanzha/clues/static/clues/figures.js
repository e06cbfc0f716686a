// Charts of the clue figures page, drawn from the report dict in #clue-figures (no inline script).
(function () {
  function draw() {
    const el = document.getElementById("clue-figures");
    if (!el || !window.echarts) return;
    const data = JSON.parse(el.textContent);
    const grid = { left: 40, right: 12, top: 30, bottom: 40, containLabel: true };
    const bar = (id, rows, title) => {
      const node = document.getElementById(id);
      if (!node) return;
      echarts.init(node).setOption({
        title: { text: title, textStyle: { fontSize: 14 } }, grid, tooltip: {},
        xAxis: { type: "value", minInterval: 1 },
        yAxis: { type: "category", data: rows.map(r => r.label), axisLabel: { width: 90, overflow: "truncate" } },
        series: [{ type: "bar", data: rows.map(r => r.n), itemStyle: { color: "#0b57d0" } }],
      });
    };
    echarts.init(document.getElementById("chart-trend")).setOption({
      title: { text: document.getElementById("chart-trend").getAttribute("aria-label"), textStyle: { fontSize: 14 } },
      grid, tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: data.trend.map(r => r.month) },
      yAxis: { type: "value", minInterval: 1 },
      series: [{ type: "line", data: data.trend.map(r => r.n), itemStyle: { color: "#b3261e" } }],
    });
    bar("chart-source", data.by_source, document.getElementById("chart-source").getAttribute("aria-label"));
    bar("chart-kind", data.by_kind, document.getElementById("chart-kind").getAttribute("aria-label"));
    bar("chart-outcome", data.outcomes, document.getElementById("chart-outcome").getAttribute("aria-label"));
    window.addEventListener("resize", () => document.querySelectorAll("[_echarts_instance_]")
      .forEach(n => echarts.getInstanceByDom(n).resize()));
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw); else draw();
})();
