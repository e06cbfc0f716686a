/* Weekday × hour heat map of the analysis page: data from #heat-data; a tap on a cell opens the cases behind it. */
document.addEventListener("DOMContentLoaded", function () {
  const el = document.getElementById("chart-heat");
  if (!el || !window.echarts) return;
  const d = JSON.parse(document.getElementById("heat-data").textContent);
  const base = document.getElementById("drill-base").dataset.url;
  const chart = echarts.init(el);
  chart.setOption({
    tooltip: {position: "top", formatter: p => d.weekdays[p.value[1]] + " " + d.hours[p.value[0]] + "：" + p.value[2]},
    grid: {left: 44, right: 8, top: 8, bottom: 56},
    xAxis: {type: "category", data: d.hours.map(String), splitArea: {show: true}},
    yAxis: {type: "category", data: d.weekdays, inverse: true, splitArea: {show: true}},
    visualMap: {min: 0, max: Math.max(1, d.max), calculable: false, orient: "horizontal", left: "center", bottom: 0, itemHeight: 120,
                inRange: {color: ["#f7fbff", "#fdae61", "#b2182b"]}},
    series: [{type: "heatmap", data: d.cells.map(c => [c[1], c[0], c[2]]), label: {show: false}}]
  });
  chart.on("click", p => { location.href = base + "&key=" + p.value[1] + "-" + p.value[0]; });
  window.addEventListener("resize", () => chart.resize());
});
