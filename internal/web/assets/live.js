// live.js extends httpmon's page with the live stream of /events: new
// ticks scroll the graphs, and alert records show and clear the banner.
// The page works without it; this only keeps it current. Text from the
// stream is set with textContent, never parsed as HTML.
"use strict";
(function () {
  var el = document.getElementById("live-data");
  if (!el || typeof EventSource === "undefined") return;
  var data = JSON.parse(el.textContent);
  var n = data.hits.length;
  var newest = data.newest;
  var months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

  // safe shows controls and bidirectional overrides as escapes, as the
  // server's textsafe does for the rest of the page.
  function safe(s) {
    return String(s).replace(/[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/g, function (c) {
      return "\\u" + ("000" + c.charCodeAt(0).toString(16)).slice(-4);
    });
  }

  function niceCeil(v) {
    if (!(v > 0)) return 1;
    var p = Math.pow(10, Math.floor(Math.log10(v)));
    var ms = [1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10];
    for (var i = 0; i < ms.length; i++) if (ms[i] * p >= v) return ms[i] * p;
    return 10 * p;
  }

  function label(v) {
    return v === Math.trunc(v) ? String(v) : String(Number(v.toPrecision(3)));
  }

  // timeLabel writes ts in the log's zone, as the server's tickLayout
  // does for labels step seconds apart over span; step 0 is one instant.
  function timeLabel(ts, step, span) {
    var d = new Date((ts + data.offset) * 1000), iso = d.toISOString();
    var day = months[d.getUTCMonth()] + " " + d.getUTCDate();
    if (step === 0) return iso.slice(0, 10) + " " + iso.slice(11, 19);
    if (step >= 86400) return day;
    if (span > 86400) return day + " " + iso.slice(11, 16);
    if (step >= 60) return iso.slice(11, 16);
    return iso.slice(11, 19);
  }

  var tickSteps = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200,
    86400, 2 * 86400, 7 * 86400, 14 * 86400, 28 * 86400];

  // xlabels redraws the time axis of svg at round instants, as the
  // server's timeTicks does.
  function xlabels(svg, left, w) {
    var old = svg.querySelectorAll("text.xlabel");
    if (n < 2 || old.length === 0) return;
    var y = old[0].getAttribute("y");
    var first = data.first, span = (n - 1) * data.step;
    var step = tickSteps[tickSteps.length - 1];
    for (var i = 0; i < tickSteps.length; i++) {
      if (Math.floor(span / tickSteps[i]) < 7) { step = tickSteps[i]; break; }
    }
    var off = data.offset;
    var t = Math.ceil((first + off) / step) * step - off;
    for (var j = 0; j < old.length; j++) old[j].remove();
    for (; t <= first + span; t += step) {
      var x = left + w * (t - first) / span;
      var el = document.createElementNS("http://www.w3.org/2000/svg", "text");
      el.setAttribute("class", "axis xlabel");
      el.setAttribute("x", x.toFixed(1));
      el.setAttribute("y", y);
      el.setAttribute("dy", "-6");
      el.setAttribute("text-anchor", x - left < 24 ? "start" : left + w - x < 24 ? "end" : "middle");
      el.textContent = timeLabel(t, step, span);
      svg.appendChild(el);
    }
  }

  // draw redraws the lines of one chart from per-step counts, the way
  // the server drew them.
  function draw(id, series) {
    var svg = document.getElementById(id);
    if (!svg) return;
    var left = +svg.dataset.left, top = +svg.dataset.top, w = +svg.dataset.w, h = +svg.dataset.h;
    var max = 0;
    series.forEach(function (s) { s.forEach(function (v) { if (v / data.step > max) max = v / data.step; }); });
    var ymax = niceCeil(max);
    var lines = svg.querySelectorAll("polyline");
    series.forEach(function (s, k) {
      var pts = [];
      for (var i = 0; i < s.length; i++) {
        var x = left + (s.length > 1 ? w * i / (s.length - 1) : 0);
        var y = top + h - h * (s[i] / data.step) / ymax;
        pts.push(x.toFixed(1) + "," + y.toFixed(1));
      }
      if (lines[k]) {
        lines[k].setAttribute("points", pts.join(" "));
        lines[k].dataset.n = String(s.length);
      }
    });
    var nodata = svg.querySelector("text.nodata");
    if (nodata && max > 0) nodata.remove();
    var ylabels = svg.querySelectorAll("text.ylabel");
    for (var j = 0; j < ylabels.length; j++) ylabels[j].textContent = label(ymax * j / (ylabels.length - 1));
    xlabels(svg, left, w);
  }

  function shift(k) {
    var all = [data.hits].concat(data.classes);
    all.forEach(function (a) {
      if (k >= n) { for (var i = 0; i < n; i++) a[i] = 0; return; }
      a.splice(0, k);
      for (var i = 0; i < k; i++) a.push(0);
    });
    data.first += k * data.step;
  }

  function onTick(t) {
    if (t.ts <= newest) return; // in the page already
    newest = t.ts;
    var stamp = document.getElementById("last-tick");
    if (stamp) stamp.textContent = timeLabel(t.ts, 0, 0) + ": " + t.hits + " requests";
    // Ticks count every section: a page of one section is not extended.
    if (!data.live || data.section || n === 0) return;
    var b = data.first + Math.floor((t.ts - data.first) / data.step) * data.step;
    var last = data.first + (n - 1) * data.step;
    if (b > last) shift((b - last) / data.step);
    var i = (b - data.first) / data.step;
    if (i < 0) return;
    var st = t.status || {};
    data.hits[i] += t.hits || 0;
    ["2xx", "3xx", "4xx", "5xx"].forEach(function (c, k) { data.classes[k][i] += st[c] || 0; });
    draw("requests", [data.hits]);
    draw("classes", data.classes);
  }

  function alertKey(a) {
    var k = a.name;
    var ls = a.labels || {};
    Object.keys(ls).forEach(function (name) { k += "\u001f" + name + "=" + ls[name]; });
    return k;
  }

  function onAlert(a) {
    var list = document.getElementById("banner-list"), banner = document.getElementById("banner");
    if (!list || !banner) return;
    var key = alertKey(a);
    var items = list.querySelectorAll("li");
    for (var i = 0; i < items.length; i++) {
      if (items[i].dataset.key === key) list.removeChild(items[i]);
    }
    if (a.state === "firing") {
      var li = document.createElement("li");
      li.dataset.key = key;
      var ls = a.labels || {}, names = Object.keys(ls);
      var text = safe(a.name);
      if (names.length) text += " {" + names.map(function (n) { return safe(n) + "=" + safe(ls[n]); }).join(", ") + "}";
      text += " since " + timeLabel(a.ts, 0, 0);
      li.textContent = text;
      list.appendChild(li);
    }
    banner.hidden = list.children.length === 0;
  }

  var status = document.getElementById("live-status");
  var es = new EventSource("/events");
  es.addEventListener("tick", function (e) { onTick(JSON.parse(e.data)); });
  es.addEventListener("alert", function (e) { onAlert(JSON.parse(e.data)); });
  es.onopen = function () { if (status && data.live) status.textContent = "live"; };
  es.onerror = function () { if (status && data.live) status.textContent = "reconnecting…"; };
})();
