/* Outreach dashboard chart: data from #chart-data, labels from the chart's data-* attributes. */
document.addEventListener("DOMContentLoaded", function () {
  const el = document.getElementById("chart-children");
  if (!el || !window.echarts) return;
  const d = JSON.parse(document.getElementById("chart-data").textContent);
  const app = el.dataset.lApp, visits = el.dataset.lVisits;
  const c = echarts.init(el);
  c.setOption({
    tooltip: {trigger: "axis", valueFormatter: v => v + "%"},
    legend: {data: [app, visits]},
    grid: {left: 8, right: 16, top: 32, bottom: 8, containLabel: true},
    xAxis: {type: "value", max: 100, axisLabel: {formatter: "{value}%"}},
    yAxis: {type: "category", data: d.names.slice().reverse(), axisLabel: {width: 90, overflow: "truncate"}},
    series: [
      {name: app, type: "bar", data: d.app_rate.slice().reverse()},
      {name: visits, type: "bar", data: d.coverage.slice().reverse()}
    ]
  });
  window.addEventListener("resize", () => c.resize());
});
