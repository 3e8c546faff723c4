/* The province dashboard's charts: each element with data-chart="<key>" is drawn with ECharts from the page's
   JSON (<script type="application/json" id="dashboard-data">), so drawing needs no request of its own. */
(function () {
  "use strict";

  var FONT = 'system-ui, "Noto Sans CJK SC", "Noto Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif';
  var COLOURS = ["#b3261e", "#0b57d0", "#1a7f37", "#9a6700", "#8250df", "#57606a", "#bc4c00", "#0a7ea4",
                 "#cf222e", "#4d2d00", "#1f6feb", "#2da44e", "#d4a72c", "#a475f9", "#6e7781", "#fb8f44", "#33b3ae"];

  function base(spec, el) {
    // Every city's name is shown: slanted when they would not fit side by side.
    var crowded = spec.categories.length * 56 > el.clientWidth;
    return {
      color: COLOURS,
      textStyle: { fontFamily: FONT, fontSize: 13 },
      aria: { enabled: true },
      animation: false,
      // The tooltip is drawn on the canvas: an HTML tooltip would carry inline styles, which the pages'
      // Content-Security-Policy refuses.
      tooltip: { trigger: "axis", renderMode: "richText", axisPointer: { type: "shadow" } },
      legend: { type: "scroll", top: 0, left: 0, right: 0 },
      grid: { left: 8, right: 16, top: 40, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: spec.categories, axisLabel: { interval: 0, rotate: crowded ? 40 : 0 } },
      yAxis: { type: "value", minInterval: 1 },
      series: []
    };
  }

  function bars(spec, el) {
    var option = base(spec, el);
    option.series = spec.series.map(function (s) {
      return { name: s.name, type: "bar", stack: spec.stacked ? "total" : undefined, data: s.data,
               emphasis: { focus: "series" }, barMaxWidth: 48 };
    });
    return option;
  }

  function target(spec, el) {
    var option = bars(spec, el);
    option.series.push({ name: spec.target, type: "bar", data: spec.targets, barMaxWidth: 48,
                         itemStyle: { color: "rgba(0,0,0,0)", borderColor: "#1f2328", borderWidth: 2, borderType: "dashed" },
                         label: { show: true, position: "top", color: "#1f2328" } });
    return option;
  }

  function lines(spec, el) {
    var option = base(spec, el);
    option.tooltip.axisPointer = { type: "line" };
    option.xAxis.boundaryGap = false;
    option.yAxis = [{ type: "value", minInterval: 1 }, { type: "value", minInterval: 1, splitLine: { show: false } }];
    option.series = spec.series.map(function (s, i) {
      return { name: s.name, type: "line", data: s.data, symbolSize: i === 0 ? 7 : 4,
               lineStyle: { width: i === 0 ? 3 : 1.5 }, emphasis: { focus: "series" } };
    });
    option.series.push({ name: spec.reportsName, type: "bar", yAxisIndex: 1, data: spec.reports, barMaxWidth: 24,
                         itemStyle: { color: "rgba(87,96,106,0.25)" } });
    return option;
  }

  var BUILDERS = { status: bars, classes: bars, outcomes: bars, target: target, jobs: lines };

  function draw() {
    var source = document.getElementById("dashboard-data");
    if (!source || typeof echarts === "undefined") return;
    var data = JSON.parse(source.textContent);
    var charts = [];
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var key = el.getAttribute("data-chart");
      var build = BUILDERS[key];
      if (!build || !data[key]) return;
      var chart = echarts.init(el, null, { renderer: "canvas", locale: document.documentElement.lang === "en" ? "EN" : "ZH" });
      chart.setOption(build(data[key], el));
      charts.push(chart);
    });
    window.addEventListener("resize", function () {
      charts.forEach(function (chart) { chart.resize(); });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
