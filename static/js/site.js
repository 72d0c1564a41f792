// Progressive enhancement only: every page works without this file.
document.addEventListener("DOMContentLoaded", () => {
  // Registration: show the fields that belong to the chosen kind of organisation.
  const form = document.querySelector("form[data-register]");
  if (form) {
    const kind = form.querySelector("select[name=kind]");
    const sync = () => {
      form.querySelectorAll("[data-for-kind]").forEach((block) => {
        block.hidden = block.dataset.forKind !== kind.value;
      });
    };
    kind.addEventListener("change", sync);
    sync();
  }
});

// Survey import: show the upload's progress, then show the server's answer (errors or the updated page).
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("form[data-upload-progress]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      if (!window.XMLHttpRequest || !window.FormData) return;
      event.preventDefault();
      const bar = form.querySelector("progress");
      const text = form.querySelector("[data-progress-text]");
      const button = form.querySelector("button[type=submit]");
      bar.hidden = false;
      text.hidden = false;
      button.disabled = true;
      const xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.upload.addEventListener("progress", (e) => {
        if (e.lengthComputable) bar.value = Math.round((e.loaded / e.total) * 100);
      });
      xhr.upload.addEventListener("load", () => {
        bar.removeAttribute("value"); // indeterminate while the server checks every row
        text.textContent = document.documentElement.lang === "en" ? "Checking every row…" : "正在逐行检查…";
      });
      xhr.addEventListener("load", () => {
        // Success answers {"location": ...} (asked for by the Accept header below) instead of a redirect: this
        // request must not load the next page itself, or it would take the page's message and the person would
        // never see it. Errors come back as the page itself.
        const type = xhr.getResponseHeader("Content-Type") || "";
        if (type.startsWith("application/json")) {
          window.location.assign(JSON.parse(xhr.responseText).location);
        } else if (xhr.responseURL && xhr.responseURL !== form.action) {
          window.location.assign(xhr.responseURL);
        } else {
          document.open();
          document.write(xhr.responseText);
          document.close();
        }
      });
      xhr.addEventListener("error", () => form.submit());
      xhr.setRequestHeader("Accept", "application/json, text/html;q=0.9");
      xhr.send(new FormData(form));
    });
  });
});

// The header's menu: open on wide screens (its links show in the row, its button is hidden), folded on phones.
(() => {
  const wide = window.matchMedia("(min-width: 600px)");
  const sync = () => document.querySelectorAll("details.site-menu").forEach((menu) => { menu.open = wide.matches; });
  document.addEventListener("DOMContentLoaded", sync);
  wide.addEventListener("change", sync);
})();
