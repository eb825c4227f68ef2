"""What the recognized text of a photo says it is: a personal document or
not. The text itself decides, not its mere presence: a number plate, a shop
sign, a banner, a menu board or a T-shirt has text and is nobody's private
paper.

Kinds, strongest evidence first:

- ``identity``: an ID card, passport or licence: a machine-readable zone
  (``P<``/``ID`` lines of ``<`` fillers), or two of the words such cards
  print (surname, date of birth, nationality, passport...);
- ``bank``: an IBAN with a valid check (mod 97), a card number with a valid
  Luhn check, or two banking words (IBAN, BIC, account number, card holder...);
- ``medical``: two medical words (patient, diagnosis, prescription, dosage,
  health insurance...);
- ``address``: a street line (number + street word, or street word + number)
  together with a postcode-and-town line, a phone number or an e-mail;
- ``receipt``: a column of prices and the words of a till slip (total, cash,
  change, VAT, Summe, Brutto, MwSt, Bar...): 8+ lines, digits >= 10 % of the
  characters, and two such words, or one and 3 prices, or 5 prices. OCR of a
  crumpled or scanned receipt is poor ("Brto", "Stuer", "SUME"), so the words
  are matched loosely;
- ``page``: a page of writing (a letter, notes, a book page): 15+ lines,
  most of them with lower-case words (or CJK), 10+ characters a line on
  average. Signage is short lines in capitals; a menu board or a wall of
  stickers has many lines but few of them prose.

Measured on ../shared/photos (tests/bench/bench_privacy.py --labelled): the
4 receipts are receipts, the book page and the handwritten notes are pages,
and none of the 33 photos of signs, plates, banners, labels, stickers, the
beer menu board, the Japanese shop sign or people at events is a document.
"""

from __future__ import annotations

import re
from typing import Optional, Sequence

MRZ = re.compile(r"^(P<|ID|I<|AC|IR)[A-Z<]{3}[A-Z0-9<]{20,}$|^[A-Z0-9<]{25,}<<[A-Z0-9<]*$")
IDENTITY_WORDS = re.compile(
    r"passport|reisepass|passeport|pasaporte|identity card|id card|personalausweis|carte d.identit|"
    r"driv\w* licen[cs]e|f[üu]hrerschein|permis de conduire|date of birth|geburtsdatum|date de naissance|"
    r"fecha de nacimiento|\bdob\b|place of birth|geburtsort|nationality|staatsangeh|nationalit[eé]|"
    r"surname|given names?|vorname|nachname|\bnom\b|pr[ée]nom|date of expiry|g[üu]ltig bis|date of issue|"
    r"social security|sozialversicherung|tax id|steuer-?id", re.I)
BANK_WORDS = re.compile(
    r"\biban\b|\bbic\b|\bswift\b|account (number|no)|kontonummer|konto-?nr|bankleitzahl|\bblz\b|sort code|"
    r"routing number|card ?holder|karteninhaber|valid thru|valid until|good thru|\bcvv\b|\bcvc\b|"
    r"bank statement|kontoauszug|relev[ée] de compte|balance|kontostand|overdraft", re.I)
MEDICAL_WORDS = re.compile(
    r"patient|diagnos|prescription|rezept|ordonnance|hospital|krankenhaus|klinik|clinic|h[ôo]pital|"
    r"health insurance|krankenkasse|krankenversicherung|insurance (number|no)|versichertennummer|dosage|"
    r"dosierung|\d+\s?mg\b|physician|arzt|[äa]rztin|doctor|medication|medikament|allerg|blood (type|group)|"
    r"vaccin|impf|lab(oratory)? results?|befund", re.I)
STREET = re.compile(
    r"(\d+[a-z]?\s+([A-Z][\w.'-]+\s+){0,3}(street|st\.|road|rd\.?|avenue|ave\.?|lane|ln\.?|drive|dr\.|"
    r"boulevard|blvd|way|place|court|ct\.)\b)|"
    r"([A-ZÄÖÜ][\wäöüß-]*(stra(ß|ss)e|str\.|weg|gasse|allee|platz|ring|damm)\s+\d+[a-z]?\b)|"
    r"(\b(rue|avenue|boulevard|chemin|via|calle|plaza)\s+[\w' -]+\d*)", re.I)
POSTCODE_TOWN = re.compile(
    r"\b(\d{5}|\d{4}|[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2})\s+[A-ZÄÖÜ][a-zäöüß]+|"
    r"\b[A-Z][a-z]+,?\s+[A-Z]{2}\s+\d{5}(-\d{4})?\b")
PHONE = re.compile(r"(\+|\b00)\d{1,3}[\s/-]?\(?\d{2,5}\)?[\s/-]?\d{3,}|\btel\.?:?\s*[\d /()+-]{7,}", re.I)
EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+\.[\w.]{2,}\b")
# Within one line only (spaces, not line breaks): a chart's axis ticks read as
# "1000", "1200", "1400", "1600" joined across lines passed the Luhn check.
IBAN = re.compile(r"\b([A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?)\b")
CARD = re.compile(r"\b(\d{4}[ -]?\d{4}[ -]?\d{4}[ -]?\d{1,7})\b")
PRICE = re.compile(r"(?<![\d])\d{1,5}[.,]\d{2}(?![\d])|\b\d{1,3}[.,]\d{3}\b")
RECEIPT_WORDS = re.compile(
    r"\b(sub[ _.-]?t\w*|total|totaal|cash|change|discount|tax|vat|receipt|invoice|amount|summe?|sume|summ|"
    r"gesamt|betrag|br?u?tto|bruto|brto|netto|neto|nto|ste?u?er|stuer|mwst|mw?st|mtt-satz|bar|kasse|eur|"
    r"r[üu]ckgeld|rechnung|quittung|beleg|bon|ticket|tva|ttc|iva|ricevuta|kassenbon)\b", re.I)
LOWER_WORD = re.compile(r"[a-zà-ÿß]{2}")
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")

RECEIPT_MIN_LINES, RECEIPT_MIN_DIGITS = 8, 0.10
PAGE_MIN_LINES, PAGE_MIN_PROSE, PAGE_MIN_MEAN_CHARS = 15, 0.6, 10.0

KIND_WORDS = {
    "identity": "an identity document",
    "bank": "a bank document or card",
    "medical": "a medical document",
    "address": "a document with an address",
    "receipt": "a receipt",
    "page": "a page of writing",
}


def _iban_ok(candidate: str) -> bool:
    s = candidate.replace(" ", "")
    if not 15 <= len(s) <= 34:
        return False
    moved = s[4:] + s[:4]
    digits = "".join(str(int(c, 36)) for c in moved)
    return int(digits) % 97 == 1


def _luhn_ok(candidate: str) -> bool:
    digits = [int(c) for c in candidate if c.isdigit()]
    if not 13 <= len(digits) <= 19:
        return False
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2:
            d *= 2
            d -= 9 if d > 9 else 0
        total += d
    return total % 10 == 0


def _hits(pattern: re.Pattern, lines: Sequence[str]) -> int:
    return len({m.group(0).lower() for line in lines for m in pattern.finditer(line)})


def classify_text(lines: Sequence[str]) -> Optional[str]:
    """The kind of personal document these recognized lines (top to bottom)
    are, or None."""
    lines = [line.strip() for line in lines if len(line.strip()) >= 2]
    if not lines:
        return None
    joined = "\n".join(lines)
    if any(MRZ.match(line.replace(" ", "")) for line in lines) or _hits(IDENTITY_WORDS, lines) >= 2:
        return "identity"
    if (any(_iban_ok(m) for line in lines for m in IBAN.findall(line))
            or any(_luhn_ok(m) for line in lines for m in CARD.findall(line))
            or _hits(BANK_WORDS, lines) >= 2):
        return "bank"
    if _hits(MEDICAL_WORDS, lines) >= 2:
        return "medical"
    street = any(STREET.search(line) for line in lines)
    contact = any(POSTCODE_TOWN.search(line) or PHONE.search(line) or EMAIL.search(line) for line in lines)
    if street and contact and len(lines) >= 3:
        return "address"
    chars = sum(len(line) for line in lines)
    digits = sum(c.isdigit() for c in joined)
    prices = sum(bool(PRICE.search(line)) for line in lines)
    words = _hits(RECEIPT_WORDS, lines)
    if (len(lines) >= RECEIPT_MIN_LINES and digits >= RECEIPT_MIN_DIGITS * chars
            and (words >= 2 or (words >= 1 and prices >= 3) or prices >= 5)):
        return "receipt"
    prose = sum(bool(LOWER_WORD.search(line) or CJK.search(line)) for line in lines) / len(lines)
    if len(lines) >= PAGE_MIN_LINES and prose >= PAGE_MIN_PROSE and chars / len(lines) >= PAGE_MIN_MEAN_CHARS:
        return "page"
    return None
