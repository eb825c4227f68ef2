"""Small helpers for wiring Qt signals safely.

A Python slot connected to a signal must return None: PySide6 6.x releases
a slot's return value one time too many, which after enough calls frees
``True`` itself and aborts the process ("bool_dealloc"). Every lambda slot
that would return something goes through these helpers instead.
"""

from __future__ import annotations

from typing import Any, Callable


def start_once(timer) -> None:
    """Start a single-shot coalescing timer unless it is already running."""
    if not timer.isActive():
        timer.start()


def slot(fn: Callable[..., Any], *args: Any) -> Callable[..., None]:
    """A slot that ignores the signal's arguments, calls ``fn(*args)`` and returns None."""

    def call(*_ignored: Any) -> None:
        fn(*args)

    return call


_guarded = False


def guard_pyside_refcount_bug() -> bool:
    """Work around PySide6 6.12 reference-count bugs: ``SignalInstance.emit()``
    (and ``disconnect()``) return ``True`` without taking a reference to it,
    and ``QTimer.singleShot(ms, callable)`` drops a reference to ``None``;
    every such call from Python loses one reference, and on Python 3.11,
    where ``True`` and ``None`` are not immortal, a long session reaches zero
    and the process aborts ("bool_dealloc", "none_dealloc"). Detected at run
    time on private objects; only when a loss is seen, the counts of ``True``,
    ``False`` and ``None`` are raised by a margin no session can use up.
    Returns whether the guard was needed."""
    global _guarded
    if _guarded:
        return True
    import ctypes
    import sys

    from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal

    class _Probe(QObject):
        ping = Signal()

    probe = _Probe()
    true_before, none_before = sys.getrefcount(True), sys.getrefcount(None)
    for _ in range(8):
        probe.ping.emit()
    if QCoreApplication.instance() is not None:
        for _ in range(8):
            QTimer.singleShot(0, _noop)
        QCoreApplication.processEvents()
    lost = max(true_before - sys.getrefcount(True), none_before - sys.getrefcount(None))
    if lost < 8:  # noise from other code is far below one per call
        return False
    # These singletons live as long as the interpreter: extra references cost nothing.
    for obj in (True, False, None):
        ctypes.c_ssize_t.from_address(id(obj)).value += 1 << 40
    _guarded = True
    return True


def _noop() -> None:
    pass


def fit_popup(combo) -> None:
    """A drop-down list as wide as its longest entry (Qt makes it as wide as
    the closed box, which clips entries like "Too few photos to tell (...)")."""
    view = combo.view()
    metrics = view.fontMetrics()
    widest = max((metrics.horizontalAdvance(combo.itemText(i)) for i in range(combo.count())), default=0)
    icon = combo.iconSize().width() + 6 if any(not combo.itemIcon(i).isNull() for i in range(combo.count())) else 0
    view.setMinimumWidth(widest + icon + 36)  # item margins and the scroll bar


def fit_popups(widget) -> None:
    """``fit_popup`` every drop-down in ``widget``, now and whenever its entries change."""
    from PySide6.QtWidgets import QComboBox

    for combo in widget.findChildren(QComboBox):
        if combo.property("photoorg_fitted"):
            continue
        combo.setProperty("photoorg_fitted", True)
        model = combo.model()
        for signal in (model.rowsInserted, model.modelReset, model.dataChanged):
            signal.connect(slot(fit_popup, combo))
        fit_popup(combo)
