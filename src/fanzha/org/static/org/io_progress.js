// Progress for long uploads and exports: the import/export pages (/io/) and the outreach forms that
// carry photos and videos (activity, home visit, evidence).
// Without JavaScript the forms post and download as usual; with it, the same
// requests run through XHR/fetch so the page can show how far they are.
(function () {
  "use strict";
  function mb(n) { return (n / 1048576).toFixed(1) + " MB"; }
  function box(form) {
    var el = form.querySelector(".upload-progress, .export-progress");
    if (!el) return null;
    el.hidden = false;
    return { bar: el.querySelector("progress"), text: el.querySelector("span") };
  }

  // Uploads: real progress from xhr.upload, then "checking…" while the server reads every row.
  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (!form.matches || !form.matches("form[data-upload-progress]")) return;
    var file = form.querySelector('input[type="file"]');
    if (!file || !file.files.length || !window.FormData) return;
    e.preventDefault();
    var p = box(form);
    var data = new FormData(form);
    if (e.submitter && e.submitter.name) data.append(e.submitter.name, e.submitter.value);
    form.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.upload.onprogress = function (ev) {
      if (!p || !ev.lengthComputable) return;
      p.bar.max = ev.total; p.bar.value = ev.loaded;
      p.text.textContent = form.dataset.uploading + " " + mb(ev.loaded) + " / " + mb(ev.total);
    };
    xhr.upload.onload = function () {
      if (!p) return;
      p.bar.removeAttribute("value");
      p.text.textContent = form.dataset.checking;
    };
    xhr.onload = function () {
      // After a redirect (e.g. to the activity just recorded) the address bar shows where we landed.
      if (xhr.responseURL && xhr.responseURL !== window.location.href && window.history.replaceState) {
        window.history.replaceState(null, "", xhr.responseURL);
      }
      document.open(); document.write(xhr.responseText); document.close();
    };
    xhr.onerror = function () {
      form.querySelectorAll("button").forEach(function (b) { b.disabled = false; });
      if (p) p.text.textContent = form.dataset.failed;
    };
    xhr.send(data);
  });

  // Exports: the file is streamed while it is written; show what has arrived, then save it.
  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (!form.matches || !form.matches("form[data-export-progress]")) return;
    if (!window.fetch || !window.ReadableStream || !window.URL) return;
    e.preventDefault();
    var p = box(form);
    var button = form.querySelector('button[type="submit"]');
    if (button) button.disabled = true;
    var url = form.action + "?" + new URLSearchParams(new FormData(form)).toString();
    var started = Date.now();
    fetch(url, { credentials: "same-origin" }).then(function (resp) {
      if (!resp.ok || !resp.body) { window.location = url; return null; }
      var name = (resp.headers.get("Content-Disposition") || "").match(/filename="([^"]+)"/);
      var reader = resp.body.getReader(), parts = [], got = 0;
      function pump() {
        return reader.read().then(function (r) {
          if (r.done) return new Blob(parts, { type: resp.headers.get("Content-Type") });
          parts.push(r.value); got += r.value.length;
          if (p) p.text.textContent = form.dataset.received + " " + mb(got) + " · " + Math.round((Date.now() - started) / 1000) + " s";
          return pump();
        });
      }
      return pump().then(function (blob) {
        var a = document.createElement("a");
        a.href = URL.createObjectURL(blob);
        a.download = name ? name[1] : "export.xlsx";
        document.body.appendChild(a); a.click(); a.remove();
        setTimeout(function () { URL.revokeObjectURL(a.href); }, 10000);
        if (p) { p.bar.max = 1; p.bar.value = 1; p.text.textContent = form.dataset.done + " " + mb(got); }
      });
    }).catch(function () {
      if (p) p.text.textContent = form.dataset.failed;
    }).finally(function () { if (button) button.disabled = false; });
  });
})();
