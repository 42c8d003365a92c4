"""Identifier guard: refuse columns whose name or values look like direct identifiers.

A dataset must be de-identified (README, "Your own data: the dataset contract"): pseudonyms
instead of names, integer day offsets instead of calendar dates, and no record numbers, phone
numbers, e-mail or street addresses. This module looks at every column of every file -- the
contract's columns and any extra ones -- and reports one problem per offending column, naming the
column, the first line where it was seen and how many more rows look the same. The offending value
itself is masked in the message (its shape is kept, e.g. ``0*.**.****``) so that error logs do not
spread the identifier.

The checks are heuristics tuned to avoid false alarms on the columns a dataset legitimately
has: numeric columns (day offsets, volumes, doses) are only checked for calendar dates written
as ``yyyymmdd``; person names are recognised only when most values of a free-text column look
like ``Firstname Lastname`` (or at once for the unmistakable ``Lastname I.I.`` form).

References
----------
HIPAA Privacy Rule, Safe Harbor method (45 CFR 164.514(b)(2)): the direct identifiers to remove
(names, dates, telephone numbers, e-mail, medical record and insurance numbers, addresses, IP addresses).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from analysis.data.textscan import Joined

# ---------------------------------------------------------------- column names

_NAME_TOKENS = {
    # person names (English, transliterated Russian, Russian)
    "surname", "forename", "firstname", "lastname", "fullname", "middlename", "maidenname",
    "patronymic", "initials", "fio", "familiya", "imya", "otchestvo",
    "фио", "фамилия", "имя", "отчество", "инициалы",
}
_NAME_QUALIFIERS = {"first", "last", "full", "given", "family", "middle", "maiden", "patient", "person",
                    "client", "subject", "pt", "sur", "fore"}
_DATE_TOKENS = {"date", "dates", "dob", "birthdate", "birthday", "birth", "born", "datetime", "timestamp",
                "dat", "дата", "рождения", "др"}
_DATE_COMPOUND = re.compile(
    r"dateof\w+|(?:exam|visit|scan|birth|death|admission|discharge|surgery|operation|study|procedure|tace|ct|mri|"
    r"diagnosis|dx|start|end|stop|followup|lastfollowup|progression|event|entry|inclusion|consent)dates?"
)
_RECORD_TOKENS = {"mrn", "snils", "passport", "ssn", "nhs", "insurance", "polis", "oms", "policy",
                  "снилс", "паспорт", "полис", "омс", "медкарта"}
_RECORD_PAIRS = [("medical", "record"), ("record", "number"), ("record", "no"), ("hospital", "number"),
                 ("hospital", "no"), ("case", "number"), ("history", "number"), ("card", "number"),
                 ("chart", "number"), ("patient", "number"), ("номер", "истории"), ("номер", "карты")]
_PHONE_TOKENS = {"phone", "telephone", "tel", "mobile", "cellphone", "fax", "телефон", "тел"}
_EMAIL_TOKENS = {"email", "mail", "почта"}
_ADDRESS_TOKENS = {"address", "addr", "street", "zip", "zipcode", "postcode", "postal", "адрес", "улица",
                   "индекс"}


def _tokens(column: str) -> list[str]:
    """The lower-case words of a column name (camelCase and snake_case split)."""
    text = re.sub(r"([a-z])([A-Z])", r"\1_\2", column.strip())  # camelCase -> camel_Case
    return [t for t in re.split(r"[\W_]+", text.lower()) if t]


def column_name_problem(column: str) -> str | None:
    """Return why a column NAME suggests a direct identifier, or None.

    Parameters
    ----------
    column : str
        A column name as written in the header (any case; camelCase and snake_case are split into words).

    Returns
    -------
    str or None
        The reason, worded for the person fixing the file; None when the name looks harmless.

    References
    ----------
    HIPAA Safe Harbor identifiers (45 CFR 164.514(b)(2)).

    Examples
    --------
    >>> column_name_problem("PatientName")
    'the column name suggests person names; a dataset may only hold pseudonyms (patient_id)'
    >>> column_name_problem("tumor_volume_cm3") is None
    True
    """
    toks = _tokens(column)
    tokset = set(toks)
    joined = "".join(toks)
    if tokset & _NAME_TOKENS or joined in _NAME_TOKENS or toks == ["name"] or toks == ["names"] or (
        ("name" in tokset or "names" in tokset) and tokset & _NAME_QUALIFIERS
    ):
        return "the column name suggests person names; a dataset may only hold pseudonyms (patient_id)"
    if tokset & _DATE_TOKENS or _DATE_COMPOUND.fullmatch(joined):
        return ("the column name suggests calendar dates or birth dates; store times as integer day offsets "
                "from day 0 (detection of liver metastases) and drop the dates")
    if tokset & _RECORD_TOKENS or any(a in tokset and b in tokset for a, b in _RECORD_PAIRS):
        return ("the column name suggests a medical record, insurance, passport or similar number; "
                "a dataset may only hold pseudonyms")
    if tokset & _PHONE_TOKENS:
        return "the column name suggests phone numbers; remove the column"
    if tokset & _EMAIL_TOKENS or joined in ("email", "emailaddress"):
        return "the column name suggests e-mail addresses; remove the column"
    if tokset & _ADDRESS_TOKENS or ("ip" in tokset and ("address" in tokset or "addr" in tokset)):
        return "the column name suggests addresses; remove the column"
    return None


# ---------------------------------------------------------------- values

_MONTHS = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
           r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)")
_RU_MONTHS = (r"(?:январ[ья]|феврал[ья]|марта?|апрел[ья]|ма[йя]|июн[ья]|июл[ья]|августа?|сентябр[ья]|"
              r"октябр[ья]|ноябр[ья]|декабр[ья])")
_D = r"(?:0?[1-9]|[12]\d|3[01])"
_M = r"(?:0?[1-9]|1[0-2])"
_Y4 = r"(?:1[89]\d\d|20\d\d)"
_DATE_RES = [
    re.compile(rf"(?<!\d){_Y4}([-/.]){_M}\1{_D}(?!\d)"),                      # 2021-03-04, 2021/3/4
    re.compile(rf"(?<!\d){_D}([-/.]){_D}\1{_Y4}(?!\d)"),                      # 04.03.2021, 03/04/2021
    re.compile(rf"(?<![\d.]){_D}([./]){_D}\1\d\d(?![\d.])"),                  # 04.03.21, 3/4/21
    re.compile(rf"(?<![\w]){_D}(?:st|nd|rd|th)?\.?\s+{_MONTHS}\.?,?\s+(?:{_Y4}|\d\d)(?!\d)", re.I),  # 4 March 2021
    re.compile(rf"(?<![\w]){_MONTHS}\.?\s+{_D}(?:st|nd|rd|th)?,?\s+{_Y4}(?!\d)", re.I),  # March 4, 2021
    re.compile(rf"(?<![\w]){_MONTHS}\.?,?\s+{_Y4}(?!\d)", re.I),                     # March 2021
    re.compile(rf"(?<!\d){_D}\s+{_RU_MONTHS}\s+{_Y4}", re.I),                         # 4 марта 2021
    re.compile(rf"(?<![\d./-])(?:0?[1-9]|1[0-2])[./]{_Y4}(?![\d./-])"),                    # 03/2021, 3.2021
    re.compile(rf"(?<![\d./-]){_Y4}-(?:0[1-9]|1[0-2])(?![\d./-])"),                         # 2021-03
]
_YYYYMMDD = re.compile(r"(?:19|20)\d\d(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])")
_PLAIN_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
_MONTH_DOT_YEAR = re.compile(rf"(?:0?[1-9]|1[0-2])\.{_Y4}")  # what _DATE_RES finds in a plain number
# a plain number that is neither a yyyymmdd nor a month.year date (as a whole value: see textscan)
_HARMLESS_NUMBER = re.compile(
    rf"(?!(?:{_YYYYMMDD.pattern}|{_MONTH_DOT_YEAR.pattern})(?![^\x00])){_PLAIN_NUMBER.pattern}")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_IPV4 = re.compile(r"(?<![\d.])(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)(?![\d.])")
_IPV6 = re.compile(r"(?:[0-9a-f]{0,4}:){2,7}[0-9a-f]{0,4}", re.I)
_SNILS = re.compile(r"\d{3}-\d{3}-\d{3}[ -]\d{2}")
_SSN = re.compile(r"\d{3}-\d{2}-\d{4}")
_PASSPORT = re.compile(r"\d{2}\s?\d{2}\s\d{6}|[A-Z]{1,2}\d{7}")
_PHONE_CHARS = re.compile(r"\+?[\d\s().-]+")
_RECORD_PREFIX = re.compile(
    r"(?:\b(?:mrn|med\.?\s*rec(?:ord)?)\s*(?:no\.?|number|#|№)?|\b(?:record|case|chart|история|карта)\s*(?:no\.?|number|#|№)"
    r"|№)\s*[:#]?\s*\d{3,}", re.I)
_ADDRESS_RES = [
    re.compile(r"\b\d+[a-z]?,?\s+(?:[A-Z][\w'-]*\s+){1,3}(?:street|st|avenue|ave|road|rd|lane|ln|boulevard|blvd|"
               r"drive|dr|court|ct|way|place|pl|square|sq|highway|hwy)\b\.?", re.I),
    re.compile(r"(?<![\w])(?:ул\.|улица|просп\.|проспект|пр-т|переулок|пер\.|шоссе|бульвар|б-р|наб\.|набережная|"
               r"пл\.|площадь)\s*[А-ЯЁA-Z0-9]", re.I),
    re.compile(r"(?<![\w])(?:д\.|дом|кв\.|квартира|корп\.)\s*\d+", re.I),
    re.compile(r"\b(?:apt|apartment|suite)\.?\s*#?\d+", re.I),
]
_WORD = r"[A-ZА-ЯЁ][a-zа-яё]+(?:-[A-ZА-ЯЁ][a-zа-яё]+)?"
_FULL_NAME = re.compile(rf"{_WORD}(?:\s+{_WORD}){{1,2}}")
_INITIALS_NAME = re.compile(
    rf"{_WORD}\s+[A-ZА-ЯЁ]\.\s?(?:[A-ZА-ЯЁ]\.)?|[A-ZА-ЯЁ]\.\s?(?:[A-ZА-ЯЁ]\.\s?)?{_WORD}"
)
# a person named in prose: a title or honorific before a capitalised word ("seen by Dr. Ivanov", "врач Петров")
_TITLED_NAME = re.compile(
    r"(?<![\w-])(?:(?i:dr|prof|mrs?|ms|mx)\.|Dr|Mr|Mrs|Ms|Mx|Miss|Prof|[Dd]octor|[Pp]rofessor|Sir|Dame"
    r"|[Дд]-р\.?|[Дд]октор|[Пп]роф\.|[Пп]рофессор|[Вв]рач|[Гг]-н|[Гг]-жа|[Гг]осподин|[Гг]оспожа|[Мм]едсестра)"
    r"\s*(?:[A-Z][a-z'-]+|[А-ЯЁ][а-яё-]+)(?!\w)")
# patronymics (Cyrillic and transliterated): unmistakable endings alone, the short -ich / -ич after a first name
_PATRONYMIC = re.compile(
    r"(?<!\w)(?:[A-Z][a-z]+(?:ovich|evich|ovna|evna|ichna|inichna)|[А-ЯЁ][а-яё]+(?:ович|евич|овна|евна|ична|инична))"
    r"(?!\w)")
_SHORT_PATRONYMIC = re.compile(r"(?<!\w)(?:[A-Z][a-z]+\s+[A-Z][a-z]+ich|[А-ЯЁ][а-яё]+\s+[А-ЯЁ][а-яё]+ич)(?!\w)")


def person_in_text(v: str) -> tuple[int, str] | None:
    """Where a free-text value names a person: (0-based character offset, why), or None.

    Parameters
    ----------
    v : str
        One cell, e.g. a clinical note written as prose.

    Returns
    -------
    tuple of (int, str) or None
        The offset of the first person named (a title or honorific before a capitalised word, in English
        or Russian, or a patronymic) and the reason; None when no person is named.

    References
    ----------
    HIPAA Safe Harbor identifiers (45 CFR 164.514(b)(2)(i)(A): names). Russian patronymics end in -ovich,
    -evich, -ich (male) and -ovna, -evna, -ichna (female).

    Examples
    --------
    >>> person_in_text("seen by Dr. Ivanov")
    (8, 'names a person with a title or honorific (Dr., Mr, Mrs, Ms, Prof., д-р, врач, г-н, ...)')
    >>> person_in_text("осмотр: Сергей Петрович")[0]  # where the patronymic starts
    15
    >>> person_in_text("dose reduced; MRI at day 30; Dr. visit cancelled") is None
    True
    >>> person_in_text("central necrosis, MR contrast; Munich protocol") is None
    True
    """
    m = _TITLED_NAME.search(v)
    if m:
        return m.start(), "names a person with a title or honorific (Dr., Mr, Mrs, Ms, Prof., д-р, врач, г-н, ...)"
    m = _PATRONYMIC.search(v) or _SHORT_PATRONYMIC.search(v)
    if m:
        return m.start(), "names a person by a patronymic (-ovich, -evna, -ович, -овна, ...)"
    return None


# words that make a capitalised two-word value a category label rather than a person's name
_NOT_NAME_WORDS = {
    "liver", "lymph", "node", "nodes", "bone", "bones", "lung", "lungs", "pancreas", "pancreatic", "small",
    "large", "intestine", "bowel", "colon", "rectum", "stomach", "peritoneum", "peritoneal", "adrenal", "ovary",
    "spleen", "brain", "skin", "breast", "kidney", "thyroid", "left", "right", "lobe", "segment", "primary",
    "tumor", "tumour", "partial", "complete", "stable", "progressive", "progression", "disease", "response",
    "not", "none", "yes", "no", "unknown", "other", "grade", "stage", "central", "necrosis", "new", "target",
    "present", "absent", "lesion", "lesions", "mass", "male", "female", "normal", "high", "low", "chemo",
    "chemotherapy", "therapy", "treatment", "irinotecan", "tace", "embolization", "embolisation", "mri", "ct",
    "contrast", "enhancement", "arterial", "venous", "portal", "phase", "bilobar", "unilobar", "multiple",
    "single", "solitary", "mild", "moderate", "severe", "pain", "fever", "nausea", "syndrome", "post",
    "before", "after", "immediate", "carcinoid", "neuroendocrine", "metastasis", "metastases", "group",
    "ok", "na", "see", "note", "follow", "up", "visit", "exam", "scan", "dose", "reduced", "full",
    # imaging and device vendors / models that look like "Firstname Lastname"
    "siemens", "philips", "canon", "toshiba", "hitachi", "somatom", "magnetom", "ingenia", "achieva",
    "aquilion", "optima", "discovery", "revolution", "signa", "avanto", "skyra", "prisma", "vida", "bead",
    "hepasphere", "lifepearl", "tandem",
    # institutions
    "clinic", "hospital", "center", "centre", "institute", "university", "city", "regional", "national",
    "medical", "cancer", "oncology", "department", "dept",
}


@dataclass(frozen=True)
class Finding:
    """One offending column: the first row seen, how many rows in all, and why."""

    column: str
    rows: tuple[int, ...]  # positions (in the list of values) of every offending row, in order
    value: str  # the first offending value, masked
    reason: str

    @property
    def index(self) -> int:
        """Position of the first offending row (0 when none)."""
        return self.rows[0] if self.rows else 0

    @property
    def count(self) -> int:
        """How many rows offend."""
        return len(self.rows)


def mask(value: str) -> str:
    """Keep the shape of a value but hide its content: ``ivan@mail.ru`` -> ``i***@****.**``.

    Parameters
    ----------
    value : str
        The offending value.

    Returns
    -------
    str
        Its first character, then every letter or digit replaced by ``*`` (punctuation kept).

    References
    ----------
    The identifier itself is never printed (HIPAA Safe Harbor, 45 CFR 164.514(b)(2)).

    Examples
    --------
    >>> mask("ivan@mail.ru"), mask("04.03.2021"), mask("")
    ('i***@****.**', '0*.**.****', '')
    """
    value = str(value)
    if not value:
        return value
    return value[0] + re.sub(r"[^\W_]", "*", value[1:])


def _is_date(v: str) -> bool:
    """A calendar date in any common written form."""
    return any(r.search(v) for r in _DATE_RES)


def _phone_like(v: str) -> bool:
    """A phone number: 10-15 digits with a leading +, parentheses or three digit groups."""
    if not _PHONE_CHARS.fullmatch(v):
        return False
    digits = sum(c.isdigit() for c in v)
    if not 10 <= digits <= 15:
        return False
    if v.startswith("+") or "(" in v:
        return True
    groups = [g for g in re.split(r"[\s.-]+", v.strip()) if g]
    return len(groups) >= 3 and all(g.isdigit() for g in groups)


def _looks_like_name(v: str) -> bool:
    """``Firstname Lastname`` with no word that makes it a category label."""
    if not _FULL_NAME.fullmatch(v):
        return False
    return not any(w.lower() in _NOT_NAME_WORDS for w in re.split(r"[\s-]+", v))


def value_problem(v: str, *, numeric: bool, id_like: bool) -> str | None:
    """Why a single value looks like a direct identifier (None when it does not).

    Parameters
    ----------
    v : str
        One cell as written.
    numeric : bool
        The contract types this column as a number (only calendar dates are checked).
    id_like : bool
        A key / identifier column, where long digit strings are record numbers and names are refused.

    Returns
    -------
    str or None
        The reason, or None when the value looks harmless.

    References
    ----------
    HIPAA Safe Harbor identifiers (45 CFR 164.514(b)(2)).

    Examples
    --------
    >>> value_problem("2021-03-04", numeric=False, id_like=False)
    'looks like a calendar date; use an integer day offset from day 0 instead'
    >>> value_problem("+7 (912) 345-67-89", numeric=False, id_like=False)
    'looks like a phone number'
    >>> value_problem("S01", numeric=False, id_like=True) is None
    True
    """
    v = v.strip()
    if not v:
        return None
    if numeric:
        if _PLAIN_NUMBER.fullmatch(v):  # the common case, decided without the nine date patterns:
            # a plain number can only be a yyyymmdd date or a "month.year" such as 3.2021 (03/2021)
            if _YYYYMMDD.fullmatch(v):
                return "looks like a calendar date written as yyyymmdd, not a day offset"
            if _MONTH_DOT_YEAR.fullmatch(v):
                return "looks like a calendar date; use an integer day offset from day 0"
            return None
        if _YYYYMMDD.fullmatch(v):
            return "looks like a calendar date written as yyyymmdd, not a day offset"
        if _is_date(v):
            return "looks like a calendar date; use an integer day offset from day 0"
        return None
    if _EMAIL.search(v):
        return "looks like an e-mail address"
    if _SNILS.fullmatch(v):
        return "looks like a SNILS (insurance) number"
    if _SSN.fullmatch(v):
        return "looks like a social security number"
    if _is_date(v):
        return "looks like a calendar date; use an integer day offset from day 0 instead"
    if _IPV4.search(v) or (_IPV6.fullmatch(v) and ("::" in v or re.search(r"[a-f]", v, re.I))
                           and len(re.sub(r"[^0-9a-fA-F]", "", v)) >= 4):
        return "looks like an IP address"
    if _PASSPORT.fullmatch(v):
        return "looks like a passport number"
    if _phone_like(v):
        return "looks like a phone number"
    if _RECORD_PREFIX.search(v):
        return "looks like a medical record number"
    if id_like and _YYYYMMDD.fullmatch(v):
        return "looks like a calendar date written as yyyymmdd (or a record number), not a pseudonym"
    if v.isdigit() and (len(v) >= 9 or (v.startswith("0") and len(v) >= 5) or (id_like and len(v) >= 5)):
        return "looks like a record, insurance or phone number (a long digit string), not a pseudonym"
    if any(r.search(v) for r in _ADDRESS_RES):
        return "looks like a street address"
    person = person_in_text(v)
    if person:
        return f"{person[1]} at character {person[0] + 1}"
    if _INITIALS_NAME.fullmatch(v):
        return "looks like a person's name with initials"
    if id_like and _looks_like_name(v):
        return "looks like a person's name, not a pseudonym"
    return None


def scan_column(column: str, values: Sequence[str], *, numeric: bool = False, categorical: bool = False,
                id_like: bool = False, check_name: bool = True, known: set[str] | None = None,
                factors: tuple[np.ndarray, list[str]] | None = None) -> Finding | None:
    """Check one column (its name and all its values); return the first finding or None.

    Parameters
    ----------
    column : str
        The column name.
    values : sequence of str
        Every cell of the column, in row order (a list, an array or a Series with a RangeIndex). Each
        check runs once per distinct value, not once per cell, so a column of a million repeated codes
        costs what its distinct codes cost.
    numeric : bool, default False
        The contract types the column as a number (only calendar dates are checked).
    categorical : bool, default False
        An enum or boolean column of the contract: its values are validated against the allowed values
        elsewhere, so only the value checks that would explain a bad value run (no name heuristics).
    id_like : bool, default False
        A key / identifier column (long digit strings and names are refused).
    check_name : bool, default True
        Also check the column name (the contract's own columns are exempt).
    known : set of str, optional
        Values (stripped) already found harmless by the value checks with the same ``numeric`` and
        ``id_like`` (e.g. the pseudonyms of patients.csv, met again in every file): not checked again; the
        values of this column found harmless are added to it.
    factors : (codes, distinct values), optional
        ``values`` already factorized (``pandas.factorize``), e.g. by :meth:`analysis.data.read.Table.factorized`.

    Returns
    -------
    Finding or None
        The rows that offend (positions in ``values``), the first value masked, and why; None when clean.

    References
    ----------
    HIPAA Safe Harbor identifiers (45 CFR 164.514(b)(2)).

    Examples
    --------
    >>> f = scan_column("contact", ["-", "ivan@mail.ru", "a@b.org"])
    >>> f.rows, f.value, f.reason
    ((1, 2), 'i***@****.**', 'looks like an e-mail address')
    >>> scan_column("note", ["Siemens Somatom", "Siemens Somatom"]) is None
    True
    """
    codes, uniques = factors if factors is not None else _factorize(values)
    stripped = [u.strip() for u in uniques]
    nonblank = np.array([bool(u) for u in stripped], dtype=bool)
    if check_name:
        reason = column_name_problem(column)
        if reason:
            rows = _rows(codes, nonblank)
            return Finding(column, rows, mask(values[rows[0]]) if rows else "-", reason)
    reasons = _value_reasons(uniques, stripped, nonblank, numeric=numeric, id_like=id_like, known=known)
    hits = _rows(codes, np.array([r is not None for r in reasons], dtype=bool))
    if hits:
        return Finding(column, hits, mask(values[hits[0]]), reasons[codes[hits[0]]])
    if numeric or categorical:
        return None
    joined = Joined(stripped)
    is_name = joined.fullmatch(_FULL_NAME) & nonblank
    is_name[is_name] = [_looks_like_name(stripped[i]) for i in np.flatnonzero(is_name).tolist()]
    distinct_names = {v for v, n in zip(stripped, is_name) if n}
    distinct = {v for v in stripped if v}
    # a names column has many different names; a label column repeats a few (e.g. "Siemens Somatom")
    if len(distinct_names) >= 3 and len(distinct_names) * 2 >= len(distinct):
        names = _rows(codes, is_name)
        return Finding(column, names, mask(values[names[0]]), "looks like person names (Firstname Lastname)")
    # yyyymmdd dates in a free column: flag when most values are such dates
    is_date = joined.fullmatch(_YYYYMMDD) & nonblank
    counts = np.bincount(codes, minlength=len(uniques))
    n_dates, n_nonempty = int(counts[is_date].sum()), int(counts[nonblank].sum())
    if n_dates and n_dates * 2 >= n_nonempty:
        dates = _rows(codes, is_date)
        return Finding(column, dates, mask(values[dates[0]]),
                       "looks like calendar dates written as yyyymmdd; use integer day offsets from day 0")
    return None


def _value_reasons(uniques: list[str], stripped: list[str], nonblank: np.ndarray, *, numeric: bool, id_like: bool,
                   known: set[str] | None) -> list[str | None]:
    """:func:`value_problem` of each distinct value, called only for the values that one of its patterns
    finds (:func:`_candidates`, over the whole column at once) and that are not already ``known``."""
    todo = nonblank.copy()
    text = np.asarray(stripped, dtype=object)
    if known:  # looked up value by value at C speed (map), not by turning the large set into an array
        todo &= ~np.fromiter(map(known.__contains__, stripped), dtype=bool, count=len(stripped))
    index = np.flatnonzero(todo)
    reasons: list[str | None] = [None] * len(uniques)
    candidates = _candidates(Joined(text[index].tolist()), numeric=numeric, id_like=id_like)
    for i in index[candidates].tolist():
        reasons[i] = value_problem(uniques[i], numeric=numeric, id_like=id_like)
    if known is not None:
        clean = np.ones(len(index), dtype=bool)
        clean[candidates] = [reasons[i] is None for i in index[candidates].tolist()]
        known.update(text[index[clean]].tolist())
    return reasons


_SPACE = re.compile(r"\s")
# search patterns that only match a text holding a character of some kind, and that kind: every match of
# _EMAIL holds "@", of _IPV4 three ".", of the written-out dates, the numbered street and the short patronymic
# a whitespace (\s+), of the Russian street words a Cyrillic letter (each alternative starts with one)
_NEEDS = {_EMAIL: "@", _IPV4: ".", **dict.fromkeys([*_DATE_RES[3:7], _ADDRESS_RES[0], _SHORT_PATRONYMIC], "space"),
          **dict.fromkeys(_ADDRESS_RES[1:3], "non-ASCII")}


def _may_match(pattern: re.Pattern, text: str) -> bool:
    """False when ``text`` lacks what every match of ``pattern`` holds (:data:`_NEEDS`): no need to search."""
    need = _NEEDS.get(pattern)
    if need == "space":
        return _SPACE.search(text) is not None
    if need == "non-ASCII":
        return not text.isascii()
    return need is None or need in text


def _candidates(joined: Joined, *, numeric: bool, id_like: bool) -> np.ndarray:
    """The distinct values for which :func:`value_problem` may find something: those that one of its
    patterns finds (or, for a plain number, that are a yyyymmdd or month.year date); every other value is
    harmless without a call. All patterns run over the whole column at once (:class:`Joined`), except those
    that cannot match its text (:func:`_may_match`)."""
    if numeric:
        return ~joined.fullmatch(_HARMLESS_NUMBER)
    found = np.fromiter(map(str.isdigit, joined.values), dtype=bool, count=joined.n)
    for r in [_EMAIL, _IPV4, _RECORD_PREFIX, _TITLED_NAME, _PATRONYMIC, _SHORT_PATRONYMIC, *_DATE_RES,
              *_ADDRESS_RES]:
        if _may_match(r, joined.text):
            found |= joined.search(r)
    for r in [_SNILS, _SSN, _IPV6, _PASSPORT, _PHONE_CHARS, _INITIALS_NAME] + (
            [_YYYYMMDD, _FULL_NAME] if id_like else []):
        found |= joined.fullmatch(r)
    return found


def _factorize(values: Sequence[str]) -> tuple[np.ndarray, list[str]]:
    """Codes (one per row) into the distinct values (in order of first appearance): every check runs
    once per distinct value, not once per cell."""
    import pandas as pd

    codes, uniques = pd.factorize(np.asarray(values, dtype=object), use_na_sentinel=False)
    return codes, list(uniques)


def _rows(codes: np.ndarray, offending: np.ndarray) -> tuple[int, ...]:
    """Positions of the rows whose distinct value is offending, in row order."""
    if not offending.any():
        return ()
    return tuple(np.flatnonzero(offending[codes]).tolist())
