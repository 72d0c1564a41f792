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
