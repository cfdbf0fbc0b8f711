// Copy buttons: a button with data-copy="ID" copies the value of the field ID. Without
// JavaScript the button stays hidden and the field shows the text, ready to select.
(function () {
  "use strict";
  function copy(button) {
    var target = document.getElementById(button.getAttribute("data-copy"));
    var status = button.parentNode.querySelector(".copy-status");
    function said(text) { if (status) { status.textContent = text; } }
    function fallback() {
      target.focus();
      target.select();
      try {
        said(document.execCommand("copy") ? "Copied." : "Press Ctrl+C (⌘C) to copy.");
      } catch (e) {
        said("Press Ctrl+C (⌘C) to copy.");
      }
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(target.value).then(function () { said("Copied."); }, fallback);
    } else {
      fallback();
    }
  }
  document.addEventListener("DOMContentLoaded", function () {
    var buttons = document.querySelectorAll("button[data-copy]");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].hidden = false;
      buttons[i].addEventListener("click", function (event) { copy(event.currentTarget); });
    }
  });
})();
