"""Small building blocks shared by the tabs: messages, download links, safe callbacks."""

from __future__ import annotations

import base64
import functools
import html
import logging
from collections.abc import Callable
from typing import Any

import ipywidgets as w

log = logging.getLogger(__name__)

STYLE = """
<style>
.ht-msg {padding: 6px 10px; border-radius: 4px; margin: 4px 0; white-space: pre-wrap;}
.ht-error {background: #fdecea; color: #8a1c13; border: 1px solid #f5c2bd;}
.ht-info {background: #e8f1fb; color: #174a7c; border: 1px solid #bcd6f2;}
.ht-ok {background: #e7f6ea; color: #1d5e2b; border: 1px solid #b9e2c2;}
.ht-warning {background: #fff4ce; color: #6b4a00; border: 1px solid #f0d58c;}
.ht-stability {font-weight: 600;}
.ht-unstable {background: #fdecea; color: #8a1c13; border: 2px solid #c62828;}
.ht-too-short-to-tell {background: #fff4ce; color: #5c4400; border: 1px solid #e0c36a;}
.ht-cards {display: flex; flex-wrap: wrap; gap: 8px;}
.ht-card {border: 1px solid #d0d7de; border-radius: 6px; padding: 8px 12px; width: 270px;
          background: #fafbfc;}
.ht-card .ht-value {font-size: 22px; font-weight: 600;}
.ht-card .ht-label {font-size: 12px; color: #555;}
.ht-on {border-left: 6px solid #2e7d32;} .ht-under {border-left: 6px solid #c62828;}
.ht-table {border-collapse: collapse; font-size: 13px;}
.ht-table th, .ht-table td {border: 1px solid #d0d7de; padding: 3px 8px; text-align: left;}
.ht-table tr.ht-significant td {background: #fff4ce; font-weight: 600;}
.ht-table td.ht-on {border-left: 6px solid #2e7d32;}
.ht-table td.ht-under {border-left: 6px solid #c62828;}
</style>
"""


def esc(value: object) -> str:
    """HTML-escaped text."""
    return html.escape(str(value))


def message_html(text: str, kind: str = "info") -> str:
    """A coloured message box (``kind``: info, ok or error)."""
    return f'<div class="ht-msg ht-{kind}">{esc(text)}</div>' if text else ""


class MessageBox(w.HTML):
    """An HTML widget showing one message at a time."""

    def show(self, text: str, kind: str = "info") -> None:
        """Replace the message."""
        self.value = message_html(text, kind)

    def error(self, text: str) -> None:
        """Show an error message."""
        self.show(text, "error")

    def clear(self) -> None:
        """Remove the message."""
        self.value = ""


def download_html(data: bytes, filename: str, mime: str, label: str) -> str:
    """An ``<a download>`` link carrying ``data`` as a data URI."""
    b64 = base64.b64encode(data).decode("ascii")
    return (f'<a class="ht-download" download="{esc(filename)}" '
            f'href="data:{mime};base64,{b64}">{esc(label)}</a>')


def guarded(box: MessageBox) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorate a widget callback so any exception becomes a readable error in ``box``."""

    def wrap(func: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(func)
        def run(*args: Any, **kwargs: Any) -> Any:
            try:
                return func(*args, **kwargs)
            except Exception as exc:  # noqa: BLE001 - shown to the user instead of a traceback
                log.exception("dashboard callback failed")
                box.error(describe_exception(exc))
                return None

        return run

    return wrap


def describe_exception(exc: BaseException) -> str:
    """Plain-language text of an exception (configuration problems one per line)."""
    from hospital_twin.errors import ConfigError

    if isinstance(exc, ConfigError):
        return exc.render()
    text = str(exc) or type(exc).__name__
    return text if isinstance(exc, ValueError | RuntimeError | KeyError) else (
        f"{type(exc).__name__}: {text}")


def button(label: str, style: str = "", tooltip: str = "") -> w.Button:
    """A text-labelled button (no icons: Font Awesome is not available offline)."""
    return w.Button(description=label, button_style=style, tooltip=tooltip or label,
                    layout=w.Layout(width="auto"))


def figure_widget(fig: Any) -> Any:
    """A plotly ``FigureWidget`` of ``fig`` sized for the dashboard (fits 1280 px)."""
    import plotly.graph_objects as go

    fig.update_layout(width=1150, height=min(fig.layout.height or 480, 480))
    return go.FigureWidget(fig)
