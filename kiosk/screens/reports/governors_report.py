"""The governors' report in the console: bar charts (textual-plotext) and the tables behind
them, for a term or the year; x writes the same report as a PDF with the same charts.

Counts only: the service (kiosk.services.exports) suppresses small numbers before anything
reaches this screen, and a suppressed bar is drawn at zero with "<5" or "x" in its label.
"""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import DataTable, Static
from textual_plotext import PlotextPlot

from kiosk.screens.base import KioskScreen
from kiosk.widgets.dialogs import Field, FieldsDialog, NoticeDialog
from kiosk.services import exports
from kiosk.services.stats import current_academic_year

PERIODS = ("year", "autumn", "spring", "summer")


class GovernorsReportScreen(KioskScreen):
    SCREEN_TITLE = "Governors' report"
    AUTO_FOCUS = "#report-body"
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("t", "period", "Term/year"),
        Binding("p", "year(-1)", "Previous year"),
        Binding("n", "year(1)", "Next year"),
        Binding("x", "export", "PDF"),
    ]
    DEFAULT_CSS = """
    GovernorsReportScreen .report-chart { height: 14; margin: 0 0 1 0; }
    GovernorsReportScreen DataTable { height: auto; margin: 0 0 1 0; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.period = "year"
        self.academic_year = current_academic_year()
        self.report = None

    def compose_body(self):
        yield Static(Content("Loading..."), classes="screen-intro", id="report-title")
        yield VerticalScroll(id="report-body")

    def on_mount(self) -> None:
        self._load(self.app.actor, self.period, self.academic_year)

    def _load(self, actor, period: str, ay: int) -> None:
        self.run_service(exports.governors_report, actor, period, ay, self.app.profile,
                         then=self._show, group="report", exclusive=True)

    def _show(self, report) -> None:
        self.report = report
        self.query_one("#report-title", Static).update(Content.assemble(
            (report.title, "bold"), "\n", report.note))
        body = self.query_one("#report-body", VerticalScroll)
        body.remove_children()
        widgets = []
        for chart in report.charts:
            plot = PlotextPlot(classes="report-chart")
            # One row per bar plus the frame, title and axis: fewer rows and plotext drops bars.
            plot.styles.height = max(8, len(chart.labels) * 2 + 6)
            plt = plot.plt
            labels = [f"{label[:14]} ({shown})" for label, shown in zip(chart.labels, chart.shown)]
            if labels:
                # Horizontal bars are drawn bottom-up: reverse so the first label is at the top.
                plt.bar(labels[::-1], list(chart.drawable())[::-1], orientation="horizontal", width=0.4)
            plt.title(chart.title)
            widgets.append(plot)
        for t in report.tables:
            widgets.append(Static(Content.styled(t.title, "bold")))
            table = DataTable(cursor_type="none", zebra_stripes=True)
            table.can_focus = False
            from kiosk.widgets.fit import fill_table

            # Columns fit the screen's width (less the body's scrollbar), long cells wrap.
            fill_table(table, [str(c) for c in t.columns],
                       [tuple(Text(str(v)) for v in row) for row in t.rows],
                       width=self.app.size.width - 2)
            widgets.append(table)
        body.mount_all(widgets)

    def action_period(self) -> None:
        self.period = PERIODS[(PERIODS.index(self.period) + 1) % len(PERIODS)]
        self._load(self.app.actor, self.period, self.academic_year)

    def action_year(self, step: int) -> None:
        ay = self.academic_year + int(step)
        if 2000 <= ay <= current_academic_year():
            self.academic_year = ay
            self._load(self.app.actor, self.period, self.academic_year)

    def action_export(self) -> None:
        fields = [Field("password", "Password for the PDF (optional: it names no one)", max_length=200)]
        app, period, ay = self.app, self.period, self.academic_year

        def export(values: dict):
            return exports.export_governors_report(app.actor, app.settings, app.profile, period, ay,
                                                   password=values["password"] or None)

        def done(path) -> None:
            if path is not None:
                app.push_screen(NoticeDialog("Report written", [(str(path), "")]))

        self.app.push_screen(FieldsDialog("Governors' report as a PDF", fields, export, "Write"), done)
