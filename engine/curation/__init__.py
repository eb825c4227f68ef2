"""One-click curation: plans, journaled transactions to the trash, undo.

The calls the window and the command line share::

    plan = make_plan(catalog, settings, series_ids=None, keep=1)
    result = apply_plan(catalog, settings, plan, progress, cancel)
    undo(catalog, settings, transaction_id=None)
    unfinished_transactions(catalog)   # shown at start-up
    recover(catalog, settings, transaction_id, "rollback" | "complete")
"""

from .apply import apply_plan
from .errors import CurationError, NothingToUndo, UnfinishedTransaction
from .plan import KeptPhoto, Plan, PlanItem, make_plan
from .results import FileOutcome, TransactionInfo, TransactionResult, UndoResult
from .undo import recover, transactions, undo, unfinished_transactions

__all__ = [
    "make_plan", "apply_plan", "undo", "recover", "transactions", "unfinished_transactions",
    "Plan", "PlanItem", "KeptPhoto", "FileOutcome", "TransactionResult", "UndoResult", "TransactionInfo",
    "CurationError", "NothingToUndo", "UnfinishedTransaction",
]
