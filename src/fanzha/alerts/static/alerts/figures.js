// Charts of the alert figures page: data and labels from the page's json_script tags, nothing inline.
document.addEventListener("DOMContentLoaded", function () {
  if (!window.echarts) return;
  const d = JSON.parse(document.getElementById("alert-figures").textContent);
  const L = JSON.parse(document.getElementById("alert-figures-labels").textContent);
  const t = echarts.init(document.getElementById("chart-trend"));
  t.setOption({
    tooltip: {trigger: "axis"}, legend: {data: [L.received, L.contacted_pct]},
    grid: {left: 40, right: 50, bottom: 30, top: 40},
    xAxis: {type: "category", data: d.trend.map(p => p.period)},
    yAxis: [{type: "value", minInterval: 1}, {type: "value", max: 100}],
    series: [
      {name: L.received, type: "bar", data: d.trend.map(p => p.received)},
      {name: L.contacted_pct, type: "line", yAxisIndex: 1, connectNulls: true, data: d.trend.map(p => p.contacted_in_limit_pct)}
    ]
  });
  const o = echarts.init(document.getElementById("chart-outcomes"));
  o.setOption({tooltip: {trigger: "item"}, series: [{type: "pie", radius: ["35%", "65%"],
    data: d.outcomes.filter(x => x.count).map(x => ({name: x.label, value: x.count}))}]});
  const nEl = document.getElementById("chart-nodes");
  if (nEl) {
    const rows = d.by_node.slice().reverse();
    const n = echarts.init(nEl);
    n.setOption({tooltip: {trigger: "axis"}, legend: {data: [L.received, L.contacted_pct]},
      grid: {left: 110, right: 30, top: 30, bottom: 20},
      xAxis: [{type: "value", minInterval: 1}, {type: "value", max: 100, show: false}],
      yAxis: {type: "category", data: rows.map(x => x.name)},
      series: [{name: L.received, type: "bar", data: rows.map(x => x.received)},
               {name: L.contacted_pct, type: "bar", xAxisIndex: 1, data: rows.map(x => x.contacted_in_limit_pct)}]});
    n.on("click", p => { const row = rows[p.dataIndex]; const u = new URL(location.href); u.searchParams.set("node", row.id); u.searchParams.delete("page"); location.href = u; });
  }
  window.addEventListener("resize", () => document.querySelectorAll("[_echarts_instance_]").forEach(el => echarts.getInstanceByDom(el).resize()));
});
