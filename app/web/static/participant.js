// Enhances a question page: saves each answer as soon as it is given and measures the time
// the page was actually in view. Without this script the page works the same, saving on Next.
(function () {
  "use strict";
  // On the welcome page: ask for the compact layout (at most six statements or one scenario a
  // page) when the screen is narrow. The server records it for this assessment.
  var consent = document.getElementById("consent-form");
  if (consent && window.matchMedia) {
    var layout = consent.elements.namedItem("layout");
    if (layout) {
      layout.value = window.matchMedia("(max-width: 40rem)").matches ? "compact" : "standard";
    }
  }
  var form = document.getElementById("questions");
  if (!form || !window.fetch || !window.URLSearchParams) {
    return;
  }
  var answerUrl = form.getAttribute("data-answer-url");
  var savedText = form.getAttribute("data-saved");
  var notSavedText = form.getAttribute("data-not-saved");

  // Active time: counted only while the page is visible, so a tab left in the background
  // does not look like careful reading.
  var activeMs = 0;
  var visibleSince = document.visibilityState === "visible" ? Date.now() : null;
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") {
      visibleSince = Date.now();
    } else if (visibleSince !== null) {
      activeMs += Date.now() - visibleSince;
      visibleSince = null;
    }
  });
  form.addEventListener("submit", function () {
    var total = activeMs + (visibleSince !== null ? Date.now() - visibleSince : 0);
    form.elements.namedItem("active").value = (total / 1000).toFixed(3);
  });

  function status(fieldset, text) {
    var region = fieldset.querySelector(".item__status");
    if (region) {
      region.textContent = text;
    }
  }

  form.addEventListener("change", function (event) {
    var input = event.target;
    if (!input || input.type !== "radio" || input.name.indexOf("answer:") !== 0) {
      return;
    }
    var fieldset = input.closest("fieldset");
    var body = new URLSearchParams();
    body.set("item", input.name.slice("answer:".length));
    body.set("value", input.value);
    fetch(answerUrl, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" },
    })
      .then(function (response) {
        status(fieldset, response.status === 204 ? savedText : notSavedText);
      })
      .catch(function () {
        // Offline or the server is restarting: the form still carries the answer to Next.
        status(fieldset, notSavedText);
      });
  });

  // After a refused page, move focus to the error summary so it is read out first.
  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
  }
})();
