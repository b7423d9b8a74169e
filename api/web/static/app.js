// Progressive enhancement for the server-rendered pages: copy citation, open at the cited passage,
// tidy shareable URLs, uploads with job polling. Every page works without this file.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function announce(message) {
    var status = document.querySelector(".copy-status");
    if (status) { status.textContent = ""; window.setTimeout(function () { status.textContent = message; }, 50); }
  }

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).catch(function () { return legacyCopy(text); });
    }
    return legacyCopy(text);
  }

  function legacyCopy(text) {
    return new Promise(function (resolve, reject) {
      var area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.style.position = "fixed";
      area.style.opacity = "0";
      document.body.appendChild(area);
      area.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      document.body.removeChild(area);
      if (ok) { resolve(); } else { reject(new Error("copy refused")); }
    });
  }

  // A copy button copies the text of the element it names (data-copy-from): the citation the server rendered.
  function setUpCopyButtons() {
    document.querySelectorAll("button.copy-citation").forEach(function (button) {
      var source = document.getElementById(button.getAttribute("data-copy-from"));
      if (!source) { return; }
      button.hidden = false;
      button.addEventListener("click", function () {
        var label = button.textContent;
        var citation = source.textContent;
        copyText(citation).then(function () {
          button.textContent = "Copied ✓";
          button.setAttribute("data-copied", "");
          announce("Citation copied to the clipboard");
        }, function () {
          window.prompt("Copy the citation:", citation);
        }).then(function () {
          window.setTimeout(function () { button.textContent = label; button.removeAttribute("data-copied"); }, 2000);
        });
      });
    });
  }

  // Shareable URLs without empty parameters (?q=...&person= becomes ?q=...).
  function tidySearchForms() {
    document.querySelectorAll("form[method='get']").forEach(function (form) {
      form.addEventListener("submit", function () {
        form.querySelectorAll("input[name]").forEach(function (input) {
          if (!input.value.trim()) { input.disabled = true; }
        });
        window.setTimeout(function () {
          form.querySelectorAll("input[name]").forEach(function (input) { input.disabled = false; });
        }, 0);
      });
    });
  }

  // The document view opens at the cited passage even when the link had no #fragment.
  function openAtPassage() {
    var passage = document.querySelector("mark.passage");
    if (!passage) { return; }
    if (location.hash !== "#" + passage.id) {
      passage.scrollIntoView({ block: "center" });
    }
    passage.focus({ preventScroll: true });
  }

  // Ingest page: upload with the user's key, then follow the jobs (each with its pages, passages, share and ETA)
  // until none is queued or running. The key is kept for this tab only (sessionStorage), as on the Following page.
  function setUpUploads() {
    var form = document.getElementById("upload-form");
    if (!form) { return; }
    var status = document.getElementById("upload-status");
    var table = document.getElementById("jobs");
    var tbody = table.querySelector("tbody");
    var keyInput = form.querySelector("#key");
    var timer = null;

    function key() { return keyInput.value.trim(); }

    function message(text) {
      tbody.textContent = "";
      var r = document.createElement("tr");
      cell(r, text).colSpan = 4;
      tbody.appendChild(r);
    }

    function cell(row, text) { var td = document.createElement("td"); td.textContent = text; row.appendChild(td); return td; }

    function duration(seconds) {
      if (seconds === null || seconds === undefined) { return "?"; }
      seconds = Math.round(seconds);
      return seconds >= 60 ? Math.floor(seconds / 60) + " min " + (seconds % 60) + " s" : seconds + " s";
    }

    // The same words as the page rendered without JavaScript (ingest.html's job_progress).
    function jobProgress(box, progress) {
      var bar = document.createElement("progress");
      bar.max = 100;
      bar.value = progress.percent;
      box.appendChild(bar);
      box.appendChild(document.createTextNode(" " + progress.percent + "%" +
        (progress.pages ? " · " + progress.pages + " pages read" : "") +
        (progress.passages ? " · " + progress.passages + " passages embedded" : "") +
        " · ETA " + duration(progress.eta_s)));
    }

    function render(jobs, progress) {
      tbody.textContent = "";
      if (!jobs.length) { message("No jobs yet."); }
      var byJob = {};
      ((progress && progress.jobs) || []).forEach(function (entry) { byJob[entry.job_id] = entry; });
      jobs.forEach(function (job) {
        var row = document.createElement("tr");
        row.setAttribute("data-job-id", String(job.id));
        cell(row, String(job.id));
        cell(row, job.filename).className = "filename";
        var state = document.createElement("span");
        state.className = "state state-" + job.state;
        state.textContent = job.state;
        var stateCell = cell(row, "");
        stateCell.appendChild(state);
        if (byJob[job.id] && (job.state === "queued" || job.state === "running")) {
          var progressBox = document.createElement("div");
          progressBox.className = "job-progress";
          jobProgress(progressBox, byJob[job.id]);
          stateCell.appendChild(progressBox);
        }
        var details = cell(row, "");
        if (job.document_id) {
          var link = document.createElement("a");
          link.href = table.getAttribute("data-read-url") + job.document_id;
          link.textContent = "document " + job.document_id;
          details.appendChild(link);
        }
        if (job.reason) { details.appendChild(document.createTextNode(" " + job.reason)); }
        (job.warnings || []).forEach(function (warning) {
          details.appendChild(document.createTextNode(" warning: " + warning));
        });
        tbody.appendChild(row);
      });
    }

    var progressLine = document.getElementById("ingest-progress");

    function showProgress(progress) {
      if (!progressLine) { return; }
      if (!progress || !progress.total || progress.done >= progress.total) { progressLine.textContent = ""; return; }
      progressLine.textContent = progress.done + "/" + progress.total + " files · " + progress.pages + " pages · " +
        progress.passages + " passages" + (progress.percent === null ? "" : " · " + progress.percent + "%") +
        " · ETA " + duration(progress.eta_s) + (progress.current ? " · " + progress.current : "");
    }

    function poll() {
      if (timer) { window.clearTimeout(timer); timer = null; }
      if (!key()) { message("Enter your key to see the jobs."); return; }
      fetch(table.getAttribute("data-jobs-url") + "?limit=1000",
            { headers: { Accept: "application/json", Authorization: "Bearer " + key() } })
        .then(function (response) {
          if (response.status === 401 || response.status === 403 || response.status === 429) {
            message("This key is not accepted (an editor's or an admin's is needed): the jobs are not shown.");
            return Promise.reject(null);
          }
          return response.ok ? response.json() : Promise.reject(response);
        })
        .then(function (body) {
          var jobs = (body.jobs || []).slice().sort(function (a, b) { return b.id - a.id; }).slice(0, 50);
          render(jobs, body.progress);
          showProgress(body.progress);
          var busy = jobs.some(function (job) { return job.state === "queued" || job.state === "running"; });
          timer = busy ? window.setTimeout(poll, 1500) : null;
        })
        .catch(function (refused) { if (refused !== null) { timer = window.setTimeout(poll, 5000); } });
    }

    function remember() { window.sessionStorage.setItem(KEY, key()); }

    keyInput.value = keyInput.value || userKey();
    keyInput.addEventListener("change", function () { remember(); poll(); });
    document.getElementById("show-jobs").addEventListener("click", function (event) {
      event.preventDefault();
      remember();
      poll();
    });

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var files = Array.prototype.slice.call(form.querySelector("input[type=file]").files);
      var groups = form.querySelector("#groups").value.split(",").map(function (g) { return g.trim(); })
        .filter(function (g) { return g; });
      if (!files.length) { status.textContent = "Choose at least one file."; return; }
      var done = 0, failed = [];
      status.textContent = "Uploading " + files.length + " file(s)…";
      files.reduce(function (previous, file) {
        return previous.then(function () {
          var data = new FormData(form);  // what the files are (title, date, ...) and who may read them
          ["file", "key", "groups", "action"].forEach(function (name) { data.delete(name); });
          data.append("file", file, file.name);
          groups.forEach(function (group) { data.append("group", group); });
          return fetch(form.getAttribute("data-upload-url"), { method: "POST", body: data, headers: { Authorization: "Bearer " + key() } })
            .then(function (response) {
              if (response.ok) { done += 1; return; }
              return response.json().then(function (body) { failed.push(file.name + ": " + (body.detail || response.status)); },
                function () { failed.push(file.name + ": HTTP " + response.status); });
            }, function () { failed.push(file.name + ": the server could not be reached"); })
            .then(function () { status.textContent = "Uploaded " + done + " of " + files.length + "…"; });
        });
      }, Promise.resolve()).then(function () {
        status.textContent = done + " of " + files.length + " file(s) queued." + (failed.length ? " Not accepted: " + failed.join("; ") : "");
        remember();
        poll();
      });
    });
    poll();
  }

  // Saved searches: "Follow" buttons, the Following page and the count of new results in the menu. They need the
  // user's key, kept for this tab only (sessionStorage), as on the ingest page.
  var KEY = "archive-user-key";

  function userKey() { return window.sessionStorage.getItem(KEY) || ""; }

  function withKey(url, options) {
    options = options || {};
    options.headers = Object.assign({ Accept: "application/json", Authorization: "Bearer " + userKey() }, options.headers || {});
    return fetch(url, options).then(function (response) {
      if (response.status === 204) { return null; }
      return response.json().then(function (body) {
        if (!response.ok) { return Promise.reject(new Error(body.detail || ("HTTP " + response.status))); }
        return body;
      });
    });
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function setUpFollowButtons() {
    document.querySelectorAll("[data-follow]").forEach(function (box) {
      box.hidden = false;
      var button = box.querySelector(".follow-button");
      var status = box.querySelector(".follow-status");
      button.addEventListener("click", function () {
        status.textContent = "";
        if (!userKey()) {
          var link = element("a", "", "Following");
          link.href = box.getAttribute("data-following-page");
          status.append("Enter your key on the ", link, " page first.");
          return;
        }
        var payload = JSON.parse(box.getAttribute("data-follow"));
        Object.keys(payload).forEach(function (name) { if (!payload[name]) { delete payload[name]; } });
        withKey(box.getAttribute("data-follow-url"), {
          method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(payload)
        }).then(function (body) {
          button.disabled = true;
          button.textContent = "Following ✓";
          var feed = element("input", "feed-url");
          feed.readOnly = true;
          feed.value = body.feed_url;
          feed.setAttribute("aria-label", "Atom feed of this search (shown once)");
          status.append("New results will be kept on the Following page. Feed for a feed reader (shown once): ", feed);
          updateNewCount();
        }, function (error) { status.textContent = "Not followed: " + error.message; });
      });
    });
  }

  function updateNewCount() {
    var badge = document.querySelector(".new-count");
    if (!badge || !userKey()) { return; }
    withKey(badge.getAttribute("data-saved-searches-url")).then(function (body) {
      var total = body.saved_searches.reduce(function (sum, saved) { return sum + saved.new; }, 0);
      badge.textContent = total ? String(total) : "";
      badge.setAttribute("aria-label", total + " new results");
      badge.hidden = !total;
    }, function () { badge.hidden = true; });
  }

  function setUpFollowingPage() {
    var form = document.getElementById("key-form");
    var list = document.getElementById("followed");
    if (!form || !list) { return; }
    var input = form.querySelector("#user-key");
    input.value = userKey();

    function message(text) { list.textContent = ""; list.appendChild(element("p", "notice", text)); }

    function showResults(saved, target) {
      withKey(list.getAttribute("data-saved-searches-url") + "/" + saved.id + "/new").then(function (body) {
        target.textContent = "";
        if (!body.results.length) { target.appendChild(element("p", "hint", "Nothing new.")); return; }
        var ol = element("ol", "results");
        body.results.forEach(function (result) {
          var li = element("li", "result");
          var quote = element("blockquote", "quote");
          quote.appendChild(element("p", "", result.text));
          var link = element("a", "result-title", result.document.title);
          link.href = list.getAttribute("data-read-url") + result.document.id + "?passage=" + result.passage_id +
            "#passage-" + result.passage_id;
          li.append(quote, link);
          ol.appendChild(li);
        });
        target.appendChild(ol);
      }, function (error) { target.textContent = error.message; });
    }

    function render(searches) {
      list.textContent = "";
      if (!searches.length) { message("You follow no search yet: use “Follow this search” on a search page."); return; }
      searches.forEach(function (saved) {
        var item = element("article", "followed-search");
        var heading = element("h3");
        var search = element("a", "", saved.q);
        search.href = list.getAttribute("data-search-url") + "?" + new URLSearchParams(Object.assign({ q: saved.q }, saved.filters));
        heading.append(search, " ", element("span", "new-results", saved.new + " new"));
        var filters = Object.keys(saved.filters).map(function (name) { return name + ": " + saved.filters[name]; });
        item.append(heading, element("p", "hint", filters.length ? filters.join(" · ") : "no filters"));
        var results = element("div", "followed-results");
        var actions = element("div", "result-actions");
        [["Show new results", function () { showResults(saved, results); }],
         ["Mark as seen", function () {
           withKey(list.getAttribute("data-saved-searches-url") + "/" + saved.id + "/seen", { method: "POST" }).then(load, function (error) { results.textContent = error.message; });
         }],
         ["Stop following", function () {
           withKey(list.getAttribute("data-saved-searches-url") + "/" + saved.id, { method: "DELETE" }).then(load, function (error) { results.textContent = error.message; });
         }]].forEach(function (action) {
          var button = element("button", "button", action[0]);
          button.type = "button";
          button.addEventListener("click", action[1]);
          actions.appendChild(button);
        });
        item.append(actions, results);
        list.appendChild(item);
      });
    }

    function load() {
      if (!userKey()) { message("Enter your key to see the searches you follow."); return; }
      withKey(list.getAttribute("data-saved-searches-url")).then(function (body) {
        render(body.saved_searches);
        updateNewCount();
      }, function (error) { message("Your key is not accepted: " + error.message); });
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      window.sessionStorage.setItem(KEY, input.value.trim());
      load();
    });
    load();
  }

  // On a phone the search filters start folded when there are results, so that the first result is on the first
  // screen; their summary says they are on, and a tap opens them.
  function foldFiltersOnPhones() {
    if (!window.matchMedia("(max-width: 34rem)").matches || !document.querySelector("li.result")) { return; }
    document.querySelectorAll("details.filters[open]").forEach(function (filters) { filters.open = false; });
  }

  // Forms that post a key (the person page's corrections): filled with the key this tab already holds, which they
  // keep in turn. Without this script the key is typed into the form.
  function setUpKeyFields() {
    document.querySelectorAll("input[data-user-key]").forEach(function (input) {
      input.value = userKey();
      input.form.addEventListener("submit", function () { window.sessionStorage.setItem(KEY, input.value.trim()); });
    });
  }

  setUpCopyButtons();
  foldFiltersOnPhones();
  setUpKeyFields();
  tidySearchForms();
  openAtPassage();
  setUpUploads();
  setUpFollowButtons();
  setUpFollowingPage();
  updateNewCount();
})();
