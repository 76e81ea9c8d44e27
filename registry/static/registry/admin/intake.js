// The intake page (registry/admin/intake.py). select2 draws its own combobox for each autocomplete, with no name of
// its own: it is given its field's label, so a screen reader says which person or post it chooses. jQuery runs its
// ready handlers in order, so this one comes after the admin's autocomplete.js has drawn the boxes.
"use strict";
if (window.django && window.django.jQuery) {
    window.django.jQuery(() => {
        document.querySelectorAll("select.admin-autocomplete").forEach((select) => {
            const label = document.querySelector(`label[for="${select.id}"]`);
            const container = select.nextElementSibling;
            const box = container && container.querySelector(".select2-selection");
            if (label && box) {
                label.id = label.id || `${select.id}-label`;
                // The box reads as its label and its current choice; the choice's own text box as the label.
                const chosen = box.querySelector(".select2-selection__rendered");
                box.setAttribute("aria-labelledby", chosen ? `${label.id} ${chosen.id}` : label.id);
                if (chosen) {
                    chosen.setAttribute("aria-labelledby", label.id);
                }
            }
        });
    });
}
