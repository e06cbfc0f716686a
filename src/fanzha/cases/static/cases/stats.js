/* Case statistics charts: data from the #stats-data json_script, labels from the charts' data-* attributes. */
document.addEventListener("DOMContentLoaded", function () {
  if (!window.echarts) return;
  const d = JSON.parse(document.getElementById("stats-data").textContent);
  const trendEl = document.getElementById("chart-trend");
  const t = echarts.init(trendEl);
  const count = trendEl.dataset.lCount, loss = trendEl.dataset.lLoss;
  t.setOption({
    tooltip: {trigger: "axis"}, legend: {data: [count, loss]},
    grid: {left: 40, right: 50, bottom: 30, top: 40},
    xAxis: {type: "category", data: d.trend.map(p => p.period)},
    yAxis: [{type: "value", minInterval: 1}, {type: "value"}],
    series: [
      {name: count, type: "bar", data: d.trend.map(p => p.count)},
      {name: loss, type: "line", yAxisIndex: 1, data: d.trend.map(p => (p.loss / 10000).toFixed(1))}
    ]
  });
  const ty = echarts.init(document.getElementById("chart-type"));
  ty.setOption({tooltip: {trigger: "item"}, series: [{type: "pie", radius: ["35%", "65%"], data: d.by_type.map(x => ({name: x.label, value: x.count}))}]});
  const rankEl = document.getElementById("chart-rank");
  if (rankEl) {
    const r = echarts.init(rankEl);
    const rows = d.ranking.slice().reverse();
    r.setOption({tooltip: {}, grid: {left: 110, right: 20, top: 10, bottom: 20},
      xAxis: {type: "value", minInterval: 1}, yAxis: {type: "category", data: rows.map(x => x.name)},
      series: [{type: "bar", data: rows.map(x => ({value: x.count, id: x.id}))}]});
    r.on("click", p => { const row = rows[p.dataIndex]; const u = new URL(location.href); u.searchParams.set("node", row.id); location.href = u; });
  }
  window.addEventListener("resize", () => document.querySelectorAll("[_echarts_instance_]").forEach(el => echarts.getInstanceByDom(el).resize()));
});
