'use strict';
// Slugs from Vietnamese names: "Lê Thị Minh Châu" -> "le-thi-minh-chau", "Ban Chỉ đạo" -> "ban-chi-dao" (đ -> d),
// as registry.text.slugify_vi does on the server. Django's own URLify maps đ to "dj" (Serbian): it is wrapped here.
{
    const fold = (text) => text.replace(/đ/g, 'd').replace(/Đ/g, 'D').normalize('NFKD').replace(/[\u0300-\u036f]/g, '');
    const slugify = (text, max) => fold(text).toLowerCase().replace(/[^\w\s-]/g, '').trim()
        .replace(/[-\s]+/g, '-').slice(0, max).replace(/^[-_]+|[-_]+$/g, '');
    window.registrySlugify = slugify;

    function wrapUrlify() {
        if (typeof window.URLify === 'function' && !window.URLify.registryFolded) {
            const original = window.URLify;
            const folded = (text, numChars, allowUnicode) => original(fold(text), numChars, allowUnicode);
            folded.registryFolded = true;
            window.URLify = folded;
        }
    }

    // <input data-slug-from="id_a id_b">: filled from those inputs until the editor types in it.
    function prepopulate() {
        for (const slug of document.querySelectorAll('input[data-slug-from]')) {
            const sources = slug.dataset.slugFrom.split(' ').map((id) => document.getElementById(id)).filter(Boolean);
            const max = parseInt(slug.getAttribute('maxlength') || '50', 10);
            slug.dataset.changed = slug.value ? 'true' : 'false';
            slug.addEventListener('input', () => { slug.dataset.changed = slug.value ? 'true' : 'false'; });
            const fill = () => {
                if (slug.dataset.changed !== 'true') {
                    slug.value = slugify(sources.map((input) => input.value).join(' '), max);
                }
            };
            for (const source of sources) {
                source.addEventListener('input', fill);
                source.addEventListener('change', fill);
            }
        }
    }

    wrapUrlify();
    document.addEventListener('DOMContentLoaded', () => { wrapUrlify(); prepopulate(); });
}
