// 统计看板: the bar charts of records by state and certificates by item, from the numbers in #dashboard-charts.
import {drawChart} from "./charts.js";

const charts = JSON.parse(document.getElementById("dashboard-charts").textContent);
for (const [name, chart] of Object.entries(charts)) {
  const canvas = document.getElementById(`chart-${name}`);
  if (canvas && chart.values.length) drawChart(canvas, "bar", chart.labels, chart.values, chart.label);
}
