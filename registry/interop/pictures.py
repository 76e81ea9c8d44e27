"""Pictures for reports: a body's chart on a day, and a post's holders over time, as print-ready SVG.

Both draw what the JSON answers say, from the same reads: the chart is ``selectors.organization_chart`` (the API's
``chart`` action and the body's page), each post's seats ``selectors.seat_states`` (held, vacant, unknown); the
timeline's periods without a known holder are the seat states of each stretch between two appointment dates. Words
are the pages' own (``registry.wording`` and the translations), in the language asked for.
"""

import datetime
from itertools import pairwise

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from registry import wording
from registry.choices import PostRole
from registry.interop.svg import HELD, INK, MARGIN, MUTED, PAPER, WIDTH, Canvas
from registry.models import Appointment, Post
from registry.selectors import Chart, seat_states, seats
from registry.selectors.evidence import last_confirmed_of

#: The chart's levels, as the body's page draws them.
LEVELS = (
    ((PostRole.HEAD,), "Head"),
    ((PostRole.PERMANENT_DEPUTY_HEAD, PostRole.DEPUTY_HEAD), "Deputies"),
    ((PostRole.MEMBER,), "Members"),
)
#: The largest number of seats drawn one by one (as on the page); beyond it the chart says the number only.
MAX_SEATS_DRAWN = 60
INNER = WIDTH - 2 * MARGIN


def translated(record, name: str, language: str) -> str:
    """The record's ``<name>_en`` in English when it has one; the Vietnamese otherwise (the pages' ``tr``)."""
    english = getattr(record, f"{name}_en", "") if language == "en" else ""
    return english or getattr(record, name)


def sources_line(records) -> str:
    """ "per source of 15/12/2025": the newest day a document shows any of ``records`` in effect."""
    days = [day for day in (last_confirmed_of(record) for record in records) if day is not None]
    if not days:
        return _("no dated source")
    return _("per source of %(date)s") % {"date": wording.day(max(days))}


# --- the chart ---------------------------------------------------------------------------------------------------


def chart_svg(chart: Chart, language: str) -> str:
    """The body's chart on ``chart.as_of``: its posts in rank order, each with its holders and its seats' states."""
    with translation.override(language):
        return _draw_chart(chart, language)


def _draw_chart(chart: Chart, language: str) -> str:
    name = translated(chart.organization, "name", language)
    heading = _("Organization chart on %(date)s") % {"date": wording.day(chart.as_of)}
    holders = [holder for post in chart.posts for holder in post.holders]
    canvas = Canvas(f"{name}: {heading}", _("Posts, their holders, vacant and unknown seats."), language)
    canvas.lines(MARGIN, name, INNER, 20, font_weight="bold")
    canvas.lines(MARGIN, heading, INNER, 14)
    canvas.lines(MARGIN, sources_line(holders), INNER, 11, fill=MUTED)
    if not chart.organization.exists_on(chart.as_of):
        canvas.lines(MARGIN, _("The body did not exist on this day."), INNER, 12)
    elif not chart.posts:
        canvas.lines(MARGIN, _("The sources name no posts of this body."), INNER, 12)
    for roles, title in LEVELS:
        posts = [post for post in chart.posts if post.role in roles]
        if posts:
            canvas.y += 18
            canvas.lines(MARGIN, _(title), INNER, 14, font_weight="bold", fill=HELD)
            for post in posts:
                _draw_post(canvas, post, language)
    canvas.legend(
        _("Legend"),
        [
            ("held", _("Held: a person the sources name holds the seat on this day.")),
            ("vacant", _("Vacant: a source states the seat is empty on this day.")),
            ("unknown", _("Unknown: nobody is known to hold the seat, and no source says it is empty.")),
        ],
    )
    return canvas.svg()


def _draw_post(canvas: Canvas, post: Post, language: str) -> None:
    """One post as a framed card: its label, its holders with their dates, then what its empty seats are."""
    canvas.y += 10
    top = canvas.y
    frame = canvas.element("rect", x=MARGIN, y=top, width=INNER, fill="none", stroke=MUTED, stroke_width=0.8, rx=4)
    left, width = MARGIN + 12, INNER - 24
    label = translated(post, "label", language)
    if post.standing:
        label = f"{label} · {_('Standing board')}"
    canvas.lines(left, label, width, 13, font_weight="bold")
    if post.portfolio is not None:
        canvas.lines(left, f"{_('Portfolio')}: {translated(post.portfolio, 'name', language)}", width, 10, fill=MUTED)
    for holder in post.holders:
        canvas.y += 4
        canvas.seat(left, canvas.y + 5, "held")
        canvas.lines(left + 20, holder.person.name, width - 20, 12)
        canvas.lines(left + 20, wording.period(holder), width - 20, 10, fill=MUTED)
    states = seat_states(post)
    for state, text in _empty_seats(post, states):
        canvas.y += 4
        canvas.seat(left, canvas.y + 5, state)
        canvas.lines(left + 20, text, width - 20, 11)
    around = wording.known_around(states)
    if around:
        canvas.lines(left + 20, around, width - 20, 10, fill=MUTED)
    if post.seats is not None and 1 < post.seats <= MAX_SEATS_DRAWN:
        canvas.y += 6
        drawn = ["held"] * min(states.held, post.seats) + ["vacant"] * states.vacant + ["unknown"] * states.unknown
        per_row = int(width // 16)
        for index, state in enumerate(drawn):
            row, column = divmod(index, per_row)
            canvas.seat(left + column * 16, canvas.y + row * 16, state)
        canvas.y += 16 * ((len(drawn) - 1) // per_row + 1)
    canvas.y += 10
    frame.set("height", str(round(canvas.y - top, 1)))


def _empty_seats(post: Post, states) -> list[tuple[str, str]]:
    """What the card says of the seats nobody holds: stated vacant, unknown, or (seats not stated) nobody named."""
    if post.seats is None:
        return [] if post.holders else [("unknown", _("Nobody named on this day; number of seats not stated"))]
    said = []
    if states.vacant:
        text = ngettext("%(counter)s seat stated vacant", "%(counter)s seats stated vacant", states.vacant)
        said.append(("vacant", text % {"counter": states.vacant}))
    if states.unknown:
        text = ngettext("%(counter)s seat: holder unknown", "%(counter)s seats: holders unknown", states.unknown)
        said.append(("unknown", text % {"counter": states.unknown}))
    return said


# --- the timeline ------------------------------------------------------------------------------------------------


def timeline_svg(post: Post, appointments: list[Appointment], today: datetime.date, language: str) -> str:
    """``post``'s holders over time up to ``today``: a bar per appointment, and the stretches nobody is known to hold
    it or a source states it empty. ``appointments`` are all the post's, oldest first, with their people."""
    with translation.override(language):
        try:
            return _draw_timeline(post, appointments, today, language)
        finally:
            seats.attach(post, appointments, today)  # the post is left with its seats as of today


class Axis:
    """Days to x: from the first appointment's start to ``today`` (or the latest end, if later)."""

    LEFT, RIGHT = MARGIN + 190, WIDTH - MARGIN - 10

    def __init__(self, appointments: list[Appointment], today: datetime.date):
        self.first = min(appointment.start_date for appointment in appointments)
        self.last = max([today, *(a.end_date for a in appointments if a.end_date is not None)])
        self.days = max((self.last - self.first).days, 1)

    def x(self, day: datetime.date) -> float:
        return self.LEFT + (self.RIGHT - self.LEFT) * (day - self.first).days / self.days

    def years(self) -> list[int]:
        span = self.last.year - self.first.year
        step = 1 if span <= 12 else 5
        return [year for year in range(self.first.year + 1, self.last.year + 1) if year % step == 0]


def _draw_timeline(post: Post, appointments: list[Appointment], today: datetime.date, language: str) -> str:
    label = f"{translated(post, 'label', language)} – {translated(post.organization, 'name', language)}"
    heading = _("Holders over time")
    canvas = Canvas(
        f"{label}: {heading}", _("Each appointment as a bar, with its dates and their precision."), language
    )
    canvas.lines(MARGIN, label, INNER, 18, font_weight="bold")
    canvas.lines(MARGIN, f"{heading} · {_('up to %(date)s') % {'date': wording.day(today)}}", INNER, 14)
    canvas.lines(MARGIN, sources_line(appointments), INNER, 11, fill=MUTED)
    if not appointments:
        canvas.lines(MARGIN, _("Nobody is named in this post in the sources."), INNER, 12)
        return canvas.svg()
    axis = Axis(appointments, today)
    canvas.y += 30
    top = canvas.y
    years = canvas.element("g", class_="years")  # drawn first, so the bars lie over the year lines
    _draw_seat_band(canvas, axis, post, appointments)
    for appointment in appointments:
        _draw_bar(canvas, axis, appointment, today)
    bottom = canvas.y + 8
    for year in axis.years():
        x = axis.x(datetime.date(year, 1, 1))
        canvas.element("line", years, x1=x, y1=top - 8, x2=x, y2=bottom, stroke=MUTED, stroke_width=0.4)
        canvas.text(x, top - 12, str(year), 10, text_anchor="middle", fill=MUTED, parent=years)
    canvas.y = bottom
    canvas.legend(
        _("Legend"),
        [
            ("bar", _("A bar: a person the sources name holds the post.")),
            ("exact", _("A solid edge: the exact day it began or ended.")),
            ("approximate", _("A dashed edge: an approximate day (a source shows it that day, or it is inferred).")),
            ("open", _("An arrow: no end recorded.")),
            ("vacant", _("Vacant: a source states the seat is empty.")),
            ("unknown", _("Unknown: nobody is known to hold the seat, and no source says it is empty.")),
        ],
        draw=lambda x, y, key: _draw_key(canvas, x, y, key),
    )
    return canvas.svg()


def _draw_seat_band(canvas: Canvas, axis: Axis, post: Post, appointments: list[Appointment]) -> None:
    """One band of the post's seats over time: each stretch between two appointment dates is drawn by its state on
    its first day, as ``seat_states`` gives it (unknown and vacant stretches marked, held ones left plain)."""
    canvas.text(MARGIN, canvas.y + 11, _("Seats over time"), 11, font_weight="bold")
    after = axis.last + datetime.timedelta(days=1)
    cuts = {axis.first, after}
    for appointment in appointments:
        cuts.add(appointment.start_date)
        if appointment.end_date is not None and appointment.end_date < axis.last:
            cuts.add(appointment.end_date + datetime.timedelta(days=1))
    for start, stop in pairwise(sorted(cuts)):
        seats.attach(post, appointments, start)
        states = seat_states(post)
        unknown = states.unknown if post.seats is not None else int(not states.held)
        state = "vacant" if states.vacant else "unknown" if unknown else None
        if state is None:
            continue
        x0, x1 = axis.x(start), axis.x(min(stop, axis.last))
        dashed = {"stroke_dasharray": "3 2"} if state == "unknown" else {}
        group = canvas.element("g", class_=f"stretch {state}")
        box = {"x": x0, "y": canvas.y, "width": max(x1 - x0, 1.0), "height": 14}
        canvas.element("rect", group, **box, fill=PAPER, stroke=INK, stroke_width=0.8, **dashed)
        if state == "vacant":  # crossed out, as a vacant seat is on the chart
            for x in range(int(x0), int(x1) - 5, 8):
                slash = {"x1": x, "y1": canvas.y + 14, "x2": x + 6, "y2": canvas.y}
                canvas.element("line", group, **slash, stroke=MUTED, stroke_width=0.6)
        if x1 - x0 > 50:
            word = _("vacant") if state == "vacant" else _("unknown")
            middle = (x0 + x1) / 2
            canvas.element("rect", group, x=middle - 24, y=canvas.y + 3, width=48, height=9, fill=PAPER)
            canvas.text(middle, canvas.y + 11, word, 9, text_anchor="middle", parent=group)
    canvas.y += 22


def _draw_bar(canvas: Canvas, axis: Axis, appointment: Appointment, today: datetime.date) -> None:
    """One appointment: the holder's name, a bar from start to end (or to today), its dates written under it."""
    top = canvas.y + 4
    canvas.y = top - 5  # the name's baseline level with the bar's middle
    canvas.lines(MARGIN, appointment.person.name, Axis.LEFT - MARGIN - 10, 11)
    end = appointment.end_date if appointment.end_date is not None else today
    x0, x1 = axis.x(appointment.start_date), max(axis.x(end), axis.x(appointment.start_date) + 3)
    group = canvas.element("g", class_="appointment")
    canvas.element("rect", group, x=x0, y=top, width=x1 - x0, height=12, fill=HELD)
    _draw_edge(canvas, group, x0, top, appointment.start_date_precision)
    if appointment.end_date is None:
        _draw_key(canvas, x1, top, "open", group)
    else:
        _draw_edge(canvas, group, x1, top, appointment.end_date_precision)
    period = wording.period(appointment)
    if x0 + len(period) * 9 * 0.55 <= WIDTH - MARGIN:
        canvas.text(x0, top + 24, period, 9, fill=MUTED, parent=group)
    else:  # too long to start at the bar: it ends at the margin instead
        canvas.text(WIDTH - MARGIN, top + 24, period, 9, fill=MUTED, parent=group, text_anchor="end")
    canvas.y = max(canvas.y, top + 30)


def _draw_edge(canvas: Canvas, parent, x: float, top: float, precision: str) -> None:
    dashed = {} if precision == "exact" else {"stroke_dasharray": "2 2"}
    width = 2.5 if precision == "exact" else 1.5
    canvas.element("line", parent, x1=x, y1=top - 4, x2=x, y2=top + 16, stroke=INK, stroke_width=width, **dashed)


def _draw_key(canvas: Canvas, x: float, y: float, key: str, parent=None) -> None:
    """The legend's markers that are not seats (and the open end's arrow on a bar)."""
    if key == "bar":
        canvas.element("rect", parent, x=x, y=y, width=28, height=12, fill=HELD)
    elif key in ("exact", "approximate"):
        canvas.element("rect", parent, x=x, y=y, width=20, height=12, fill=HELD)
        _draw_edge(canvas, parent, x + 20, y, key)
    else:
        points = f"{x:.1f},{y - 2:.1f} {x + 10:.1f},{y + 6:.1f} {x:.1f},{y + 14:.1f}"
        canvas.element("polygon", parent, points=points, fill=INK)
