'use strict';
// The desk's page: the capacity offers the posts the chosen person holds on the chosen first day, first.
{
    function refreshCapacity(form) {
        const person = form.querySelector('#id_person');
        const day = form.querySelector('#id_start_date');
        const capacity = form.querySelector('#id_capacity');
        if (!person || !day || !capacity) {
            return;
        }
        const url = new URL(form.dataset.capacityUrl, window.location.href);
        url.searchParams.set('person', person.value || '');
        url.searchParams.set('day', day.value || '');
        url.searchParams.set('post', form.dataset.post || '');
        fetch(url, {credentials: 'same-origin', headers: {'Accept': 'application/json'}})
            .then((response) => (response.ok ? response.json() : {groups: []}))
            .then((data) => {
                const chosen = capacity.value;
                while (capacity.options.length > 1 || capacity.querySelector('optgroup')) {
                    capacity.removeChild(capacity.lastChild);
                }
                for (const group of data.groups) {
                    const optgroup = document.createElement('optgroup');
                    optgroup.label = group.group;
                    for (const option of group.options) {
                        optgroup.appendChild(new Option(option.text, option.id, false, String(option.id) === chosen));
                    }
                    capacity.appendChild(optgroup);
                }
            });
    }

    document.addEventListener('DOMContentLoaded', () => {
        const form = document.getElementById('desk-form');
        if (!form || !form.querySelector('#id_capacity')) {
            return;
        }
        const refresh = () => refreshCapacity(form);
        if (window.django && window.django.jQuery) {
            window.django.jQuery('#id_person').on('change', refresh);  // select2 announces its choice with jQuery
        }
        const day = form.querySelector('#id_start_date');
        day.addEventListener('change', refresh);
        day.addEventListener('blur', refresh);
    });
}
