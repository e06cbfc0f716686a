/* Install-target charts: data from #chart-data, labels from the charts' data-* attributes. */
document.addEventListener("DOMContentLoaded", function () {
  if (!window.echarts) return;
  const d = JSON.parse(document.getElementById("chart-data").textContent);
  const charts = [];
  const tl = document.getElementById("chart-timeline");
  if (tl) {
    const L = tl.dataset;
    const c = echarts.init(tl); charts.push(c);
    const series = [{name: L.lRate, type: "line", smooth: true, areaStyle: {opacity: .15}, data: d.timeline.map(p => p.rate)},
                    {name: L.lNew, type: "bar", yAxisIndex: 1, data: d.timeline.map(p => p.new)}];
    if (d.target !== null) series[0].markLine = {symbol: "none", data: [{yAxis: d.target, name: L.lTarget}], label: {formatter: L.lTarget + " {c}%"}};
    c.setOption({tooltip: {trigger: "axis"}, legend: {}, grid: {left: 8, right: 56, top: 36, bottom: 8, containLabel: true},
      xAxis: {type: "category", data: d.timeline.map(p => p.week_end.slice(5))},
      yAxis: [{type: "value", max: 100, axisLabel: {formatter: "{value}%"}}, {type: "value", splitLine: {show: false}}], series});
  }
  const rows = document.getElementById("chart-rows");
  if (rows) {
    const L = rows.dataset;
    const c = echarts.init(rows); charts.push(c);
    const rev = a => a.slice().reverse();
    c.setOption({tooltip: {trigger: "axis"}, legend: {}, grid: {left: 8, right: 16, top: 32, bottom: 8, containLabel: true},
      xAxis: {type: "value", max: 100, axisLabel: {formatter: "{value}%"}},
      yAxis: {type: "category", data: rev(d.names), axisLabel: {width: 90, overflow: "truncate"}},
      series: [{name: L.lNow, type: "bar", data: rev(d.rates)},
               {name: L.lProjected, type: "bar", data: rev(d.projected)},
               {name: L.lTarget, type: "scatter", symbol: "rect", symbolSize: [4, 16], data: rev(d.targets)}]});
  }
  window.addEventListener("resize", () => charts.forEach(c => c.resize()));
});
