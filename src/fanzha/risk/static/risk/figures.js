// Charts of the risk figures page, drawn from the json_script the page carries.
document.addEventListener("DOMContentLoaded", function () {
  if (!window.echarts) return;
  const d = JSON.parse(document.getElementById("risk-figures").textContent);
  const zh = document.documentElement.lang !== "en";
  const pie = (id, rows) => echarts.init(document.getElementById(id)).setOption({
    tooltip: {trigger: "item"},
    series: [{type: "pie", radius: ["35%", "65%"], data: rows.filter(x => x.count).map(x => ({name: x.label, value: x.count}))}]
  });
  pie("chart-categories", d.key_persons.by_category);
  pie("chart-kinds", d.premises.by_kind);
  const names = zh ? ["周三打卡", "场所检查", "帮教"] : ["Sweeps", "Premises checks", "Follow-ups"];
  echarts.init(document.getElementById("chart-months")).setOption({
    tooltip: {trigger: "axis"}, legend: {data: names}, grid: {left: 40, right: 20, bottom: 30, top: 40},
    xAxis: {type: "category", data: d.months}, yAxis: {type: "value", minInterval: 1},
    series: [
      {name: names[0], type: "bar", data: d.series.sweeps},
      {name: names[1], type: "line", data: d.series.checks},
      {name: names[2], type: "line", data: d.series.follow_ups}
    ]
  });
  window.addEventListener("resize", () => document.querySelectorAll("[_echarts_instance_]").forEach(el => echarts.getInstanceByDom(el).resize()));
});
