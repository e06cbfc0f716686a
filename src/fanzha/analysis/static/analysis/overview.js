/* Sparklines of the home page overview: trends from #overview-data. */
document.addEventListener("DOMContentLoaded", function () {
  const src = document.getElementById("overview-data");
  if (!src || !window.echarts) return;
  const figs = JSON.parse(src.textContent);
  document.querySelectorAll(".analysis-overview .spark").forEach(function (el) {
    const f = figs.find(x => x.key === el.dataset.key);
    if (!f || !f.trend) return;
    echarts.init(el).setOption({grid: {left: 0, right: 0, top: 2, bottom: 2}, xAxis: {type: "category", show: false},
      yAxis: {type: "value", show: false}, series: [{type: "line", data: f.trend, symbol: "none", lineStyle: {width: 1.5},
      color: f.off ? "#b3261e" : "#1a73e8"}]});
  });
});
