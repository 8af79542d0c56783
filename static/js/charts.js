// Charts drawn by the app as SVG, built element by element (text through textContent, never markup).
// Sized by viewBox so they scale to the screen; 300 units wide reads well at 360 px.
const SVG_NS = "http://www.w3.org/2000/svg";
const WIDTH = 300;

export function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "text") el.textContent = String(value);
    else el.setAttribute(key, String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child !== undefined && child !== null && child !== false) el.append(child);
  }
  return el;
}

// Horizontal bars, one row each: the label and its figure above, the bar below, on a 0–100 % track.
// rows: [{label, ratio (0..1 or null), figure (text shown at the right)}].
export function barChart(rows, {title}) {
  const rowHeight = 44;
  const height = rows.length * rowHeight + 4;
  const chart = svg("svg", {viewBox: `0 0 ${WIDTH} ${height}`, width: "100%", role: "img", "aria-label": title,
    class: "chart bar-chart", preserveAspectRatio: "xMinYMin meet"});
  chart.append(svg("title", {text: title}));
  rows.forEach((row, i) => {
    const y = i * rowHeight;
    const filled = Math.max(0, Math.min(1, row.ratio || 0)) * WIDTH;
    chart.append(svg("g", {class: "bar-row"},
      svg("text", {x: 0, y: y + 15, class: "bar-label", text: row.label}),
      svg("text", {x: WIDTH, y: y + 15, "text-anchor": "end", class: "bar-figure", text: row.figure}),
      svg("rect", {x: 0, y: y + 22, width: WIDTH, height: 14, rx: 3, class: "bar-track"}),
      filled > 0 ? svg("rect", {x: 0, y: y + 22, width: filled.toFixed(1), height: 14, rx: 3, class: "bar-fill"}) : null,
    ));
  });
  return chart;
}

// A weekday × hour grid, darker where more was booked. days: [{label, cells: [value per hour]}],
// hours: the hours of day shown (columns); describe(dayLabel, hour, value) → the cell's tooltip.
export function heatMap(days, hours, {title, describe}) {
  const labelWidth = 40;
  const top = 16;
  const cell = Math.floor((WIDTH - labelWidth) / Math.max(hours.length, 1));
  const rowHeight = 24;
  const height = top + days.length * rowHeight + 2;
  const max = Math.max(0, ...days.flatMap((day) => hours.map((hour) => day.cells[hour] || 0)));
  const chart = svg("svg", {viewBox: `0 0 ${WIDTH} ${height}`, width: "100%", role: "img", "aria-label": title,
    class: "chart heat-map", preserveAspectRatio: "xMinYMin meet"});
  chart.append(svg("title", {text: title}));
  // Every other hour labelled: a label per column would not fit at 360 px.
  hours.forEach((hour, i) => {
    if (i % 2 === 0) chart.append(svg("text", {x: labelWidth + i * cell + 1, y: 11, class: "heat-hour", text: `${hour} h`}));
  });
  days.forEach((day, row) => {
    const y = top + row * rowHeight;
    chart.append(svg("text", {x: 0, y: y + 16, class: "heat-day", text: day.label}));
    hours.forEach((hour, i) => {
      const value = day.cells[hour] || 0;
      const level = max > 0 ? value / max : 0;
      chart.append(svg("rect", {
        x: labelWidth + i * cell, y, width: cell - 2, height: rowHeight - 3, rx: 2,
        class: `heat-cell heat-${Math.ceil(level * 4)}`, "data-value": value,
      }, svg("title", {text: describe(day.label, hour, value)})));
    });
  });
  return chart;
}
