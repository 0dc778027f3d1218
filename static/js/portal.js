// Small enhancements only: every page works without this file.
(function () {
  "use strict";

  // Disclosure menus (<details class="menu">): Escape closes and returns focus, a click elsewhere closes.
  function closeMenus(except) {
    document.querySelectorAll("details.menu[open]").forEach(function (menu) {
      if (menu !== except) menu.removeAttribute("open");
    });
  }
  document.addEventListener("click", function (event) {
    closeMenus(event.target.closest("details.menu"));
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var menu = event.target.closest && event.target.closest("details.menu[open]");
    if (menu) {
      menu.removeAttribute("open");
      menu.querySelector("summary").focus();
    }
  });

  // Confirmation dialogs: links with data-dialog open the <dialog> instead of the confirmation page.
  document.querySelectorAll("a[data-dialog]").forEach(function (link) {
    var dialog = document.getElementById(link.dataset.dialog);
    if (!dialog || typeof dialog.showModal !== "function") return;
    link.addEventListener("click", function (event) {
      event.preventDefault();
      closeMenus(null);
      dialog.showModal();
    });
    dialog.addEventListener("close", function () {
      var menu = link.closest("details.menu");
      (menu ? menu.querySelector("summary") : link).focus();
    });
  });
  document.querySelectorAll("dialog [data-close]").forEach(function (button) {
    button.addEventListener("click", function () {
      button.closest("dialog").close();
    });
  });

  // Copy buttons: the Clipboard API where the page is a secure context, else select and execCommand.
  function announce(field, text) {
    var status = document.getElementById(field.id + "-status");
    if (status) status.textContent = text;
  }
  document.querySelectorAll("[data-select-on-focus]").forEach(function (field) {
    field.addEventListener("focus", function () { field.select(); });
    field.addEventListener("click", function () { field.select(); });
  });
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var field = document.getElementById(button.dataset.copy);
    if (!field) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      var done = function () { announce(field, "Copied to the clipboard."); };
      var fallback = function () {
        field.focus();
        field.select();
        try {
          if (document.execCommand("copy")) { done(); return; }
        } catch (error) { /* fall through to the manual hint */ }
        announce(field, "Press Ctrl+C (⌘C on a Mac) to copy the selected text.");
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(done, fallback);
      } else {
        fallback();
      }
    });
  });
})();

// Org chart: a closed branch loads its people when first opened (employees/chart_views.py).
(function () {
  "use strict";
  document.addEventListener(
    "toggle",
    function (event) {
      var branch = event.target;
      if (!branch.matches || !branch.matches("details.chart-branch[data-branch]")) return;
      if (!branch.open || branch.hasAttribute("data-loaded")) return;
      branch.setAttribute("data-loaded", "");
      branch.setAttribute("aria-busy", "true");
      fetch(branch.dataset.branch, { credentials: "same-origin", headers: { Accept: "text/html" } })
        .then(function (response) {
          if (!response.ok) throw new Error(response.status);
          return response.text();
        })
        .then(function (html) {
          branch.insertAdjacentHTML("beforeend", html);
        })
        .catch(function () {
          branch.removeAttribute("data-loaded");
          branch.insertAdjacentHTML("beforeend", '<p class="muted small chart-error">Could not load this team. Close and open it to try again.</p>');
        })
        .finally(function () {
          branch.removeAttribute("aria-busy");
        });
    },
    true
  );
})();
