// Contact autocomplete for person fields, and the new introduction form's role-aware sections.
// Without this file the form is plain inputs, every section shown: the server checks it all.
(function () {
  "use strict";

  var MIN_CHARS = 2;
  var DELAY_MS = 150;

  // A person's name input (data-autocomplete="connector|seeker|target") becomes an ARIA 1.2
  // combobox: two letters list matching contacts; arrows, Enter or a click pick one, which
  // fills the name, email (and company and page for a target); Escape closes the list.
  function Combobox(input, url, status) {
    var party = input.dataset.autocomplete;
    var form = input.form;
    var list = document.createElement("ul");
    var contacts = [];
    var active = -1;
    var timer = null;
    var asked = 0;

    list.id = input.id + "-contacts";
    list.className = "ac-list";
    list.setAttribute("role", "listbox");
    // Named apart from the field, so that the field's label names the field alone.
    list.setAttribute("aria-label", "Matching contacts");
    list.hidden = true;
    input.insertAdjacentElement("afterend", list);
    input.parentElement.classList.add("ac-field");
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);
    input.setAttribute("autocomplete", "off");

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      var options = list.querySelectorAll("[role=option]");
      active = index;
      options.forEach(function (option, i) {
        option.setAttribute("aria-selected", i === index ? "true" : "false");
      });
      if (index >= 0 && options[index]) {
        input.setAttribute("aria-activedescendant", options[index].id);
        options[index].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function render(found) {
      contacts = found;
      list.textContent = "";
      found.forEach(function (contact, i) {
        var option = document.createElement("li");
        var detail = [contact.email, contact.company].filter(Boolean).join(" · ");
        option.id = list.id + "-" + i;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.appendChild(document.createTextNode(contact.name));
        if (detail) {
          var small = document.createElement("small");
          small.textContent = " " + detail;
          option.appendChild(small);
        }
        // Keep the focus in the input, so that a click picks without a blur closing first.
        option.addEventListener("mousedown", function (event) { event.preventDefault(); });
        option.addEventListener("click", function () { pick(i); });
        list.appendChild(option);
      });
      active = -1;
      list.hidden = found.length === 0;
      input.setAttribute("aria-expanded", found.length ? "true" : "false");
      status.textContent = found.length
        ? found.length + (found.length === 1 ? " contact matches" : " contacts match") + ": arrow down to choose."
        : "No contact matches: type their details.";
    }

    function search() {
      var q = input.value.trim();
      var mine = ++asked;
      if (q.length < MIN_CHARS) { close(); return; }
      fetch(url + "?q=" + encodeURIComponent(q.slice(0, 100)), {
        headers: { Accept: "application/json" }, credentials: "same-origin"
      }).then(function (response) {
        return response.ok ? response.json() : { contacts: [] };
      }).then(function (data) {
        // An older answer arriving late must not replace a newer one.
        if (mine === asked && document.activeElement === input) { render(data.contacts || []); }
      }).catch(function () { close(); });
    }

    function set(name, value) {
      var field = form.elements[party + "_" + name];
      if (!field || field.value === value) { return; }
      field.value = value;
      field.dispatchEvent(new Event("change", { bubbles: true }));
    }

    function pick(index) {
      var contact = contacts[index];
      if (!contact) { return; }
      input.value = contact.name;
      set("email", contact.email || "");
      if (party === "target") {
        set("company", contact.company || "");
        set("url", contact.url || "");
      }
      input.dispatchEvent(new Event("change", { bubbles: true }));
      close();
      status.textContent = contact.name + " picked.";
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(search, DELAY_MS);
    });
    input.addEventListener("keydown", function (event) {
      var open = !list.hidden;
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        if (!contacts.length) { return; }
        event.preventDefault();
        if (!open) { list.hidden = false; input.setAttribute("aria-expanded", "true"); }
        var step = event.key === "ArrowDown" ? 1 : -1;
        highlight((active + step + contacts.length) % contacts.length);
      } else if (event.key === "Enter" && open) {
        // Enter picks; it never submits the form while the list is open.
        event.preventDefault();
        if (active >= 0) { pick(active); } else { close(); }
      } else if (event.key === "Escape" && open) {
        event.preventDefault();
        close();
      }
    });
    input.addEventListener("blur", close);
  }

  // "Your part" shows only the other party's section; "Where it stands" and the target's
  // email speak to that part; double opt-in shows only before the introduction.
  function RoleAwareForm(form) {
    var wordsNode = document.getElementById("intro-role-words");
    var words = wordsNode ? JSON.parse(wordsNode.textContent) : {};
    var start = form.elements.start;
    var email = form.elements.target_email;
    var emailHelp = document.getElementById(email.id + "_helptext");
    var optional = form.querySelector("label[for='" + email.id + "'] .optional");
    var optIn = form.querySelector("[data-opt-in]");

    function role() {
      var checked = form.querySelector("input[name=my_role]:checked");
      return checked ? checked.value : "seeker";
    }

    function update() {
      var me = role();
      var said = words[me];
      form.querySelectorAll("fieldset[data-party=connector], fieldset[data-party=seeker]").forEach(function (section) {
        section.hidden = section.dataset.party === me;
      });
      if (!said) { return; }
      Array.prototype.forEach.call(start.options, function (option) {
        if (said.start[option.value]) { option.textContent = said.start[option.value]; }
      });
      var asking = start.value === "requested";
      var emailOptional = me === "seeker" && asking;
      if (emailHelp) { emailHelp.textContent = said.target_email[asking ? "requested" : "other"]; }
      if (optional) { optional.hidden = !emailOptional; }
      if (optIn) { optIn.hidden = !asking; }
    }

    // The other party's section is the one shown, and all of it is needed.
    form.querySelectorAll("fieldset[data-party=connector] .optional, fieldset[data-party=seeker] .optional").forEach(function (mark) {
      mark.hidden = true;
    });
    form.addEventListener("change", function (event) {
      if (event.target.name === "my_role" || event.target === start) { update(); }
    });
    update();
  }

  function enhance(root) {
    root.querySelectorAll("form[data-suggest-url]").forEach(function (form) {
      if (form.dataset.enhanced) { return; }
      form.dataset.enhanced = "1";
      var status = document.createElement("div");
      status.className = "visually-hidden";
      status.setAttribute("role", "status");
      status.setAttribute("aria-live", "polite");
      form.appendChild(status);
      form.querySelectorAll("input[data-autocomplete]").forEach(function (input) {
        Combobox(input, form.dataset.suggestUrl, status);
      });
      document.querySelectorAll("[data-ac-hint]").forEach(function (hint) { hint.hidden = false; });
      if (form.hasAttribute("data-intro-form")) { RoleAwareForm(form); }
    });
  }

  document.addEventListener("DOMContentLoaded", function () { enhance(document); });
})();
