// Suggest similar questions while the title is typed; without JavaScript the "check" button does it.
// A file, not an inline script, so that the Content-Security-Policy can refuse inline scripts.
(function () {
  var input = document.getElementById("id_title"), box = document.getElementById("similar-questions"), timer;
  if (!input || !window.fetch) return;
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      if (input.value.trim().length < 8) { box.textContent = ""; return; }
      fetch(box.dataset.url + "?q=" + encodeURIComponent(input.value))
        .then(function (r) { return r.json(); })
        .then(function (data) {
          box.textContent = "";
          if (!data.results.length) return;
          var h = document.createElement("h2"); h.textContent = box.dataset.heading; box.appendChild(h);
          var ul = document.createElement("ul");
          data.results.forEach(function (q) {
            var li = document.createElement("li"), a = document.createElement("a");
            a.href = q.url; a.textContent = q.title; li.appendChild(a);
            li.appendChild(document.createTextNode(" (" + q.status + ", " + q.votes + " " + box.dataset.votes + ")"));
            ul.appendChild(li);
          });
          box.appendChild(ul);
        }).catch(function () {});
    }, 300);
  });
})();
