// Chart.js (node_modules/chart.js, served as vendor/chart.js/, loaded before this module as a classic
// script: window.Chart) drawing a table the page shows anyway; the chart is never the only way to the numbers.

const COLOURS = ["#417690", "#e0a32e", "#5a9e4b", "#c4513c", "#7a5ea8", "#3aa6a0", "#b5651d", "#8c8c8c"];

export function chartColours(count) {
  return Array.from({length: count}, (_, n) => COLOURS[n % COLOURS.length]);
}

/** Draws (or redraws) a chart on the canvas: kind is bar, line or pie; counts get whole-number ticks.
 * Returns the Chart instance. */
export function drawChart(canvas, kind, labels, values, label, {counts = true} = {}) {
  const Chart = window.Chart;
  if (!Chart || !canvas) return null;
  const existing = Chart.getChart(canvas);
  if (existing) existing.destroy();
  const pie = kind === "pie";
  return new Chart(canvas, {
    type: kind,
    data: {
      labels,
      datasets: [{
        label,
        data: values,
        backgroundColor: pie ? chartColours(values.length) : COLOURS[0],
        borderColor: pie ? "#ffffff" : COLOURS[0],
        fill: false,
        maxBarThickness: 80,
      }],
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      plugins: {legend: {display: pie}},
      scales: pie ? {} : {y: {beginAtZero: true, ticks: counts ? {precision: 0} : {}}},
    },
  });
}
