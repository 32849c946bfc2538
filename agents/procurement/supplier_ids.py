"""Tax ids and bank accounts in a vendor master: formats and check digits (domain notes §4).

Each check returns None when the value is plausible, or a short reason naming what is wrong.
A valid check digit proves plausibility only; VIES, IRS TIN matching and confirmation-of-payee
services prove existence and ownership.

Algorithms follow ISO 13616 (IBAN, MOD 97-10), ISO 7064 MOD 11,10 (DE), and the national rules
python-stdnum implements for FR, NL, IT, ES, GB, BE, LU, PL and DK; other EU prefixes are checked
for format only.
"""

from __future__ import annotations

import re

from schwifty import IBAN
from schwifty.exceptions import (
    InvalidChecksumDigits,
    InvalidCountryCode,
    InvalidLength,
    SchwiftyException,
)
from schwifty.registry import get_iban_spec
from stdnum.eu import vat as stdnum_vat

_STDNUM_CHECKED = frozenset({"AT", "FI"})
"""Countries whose check digits python-stdnum verifies here (the hand-written table had none for them)."""

VAT_FORMATS = {
    "AT": r"U\d{8}", "BE": r"[01]\d{9}", "BG": r"\d{9,10}", "CY": r"\d{8}[A-Z]", "CZ": r"\d{8,10}",
    "DE": r"[1-9]\d{8}", "DK": r"\d{8}", "EE": r"\d{9}", "EL": r"\d{9}", "ES": r"[A-Z0-9]\d{7}[A-Z0-9]",
    "FI": r"\d{8}", "FR": r"[0-9A-HJ-NP-Z]{2}\d{9}", "HR": r"\d{11}", "HU": r"\d{8}",
    "IE": r"\d[A-Z0-9+*]\d{5}[A-Z]{1,2}", "IT": r"\d{11}", "LT": r"\d{9}|\d{12}", "LU": r"\d{8}",
    "LV": r"\d{11}", "MT": r"\d{8}", "NL": r"\d{9}B\d{2}", "PL": r"\d{10}", "PT": r"\d{9}",
    "RO": r"[1-9]\d{1,9}", "SE": r"\d{10}01", "SI": r"\d{8}", "SK": r"\d{10}",
    "GB": r"\d{9}|\d{12}|GD\d{3}|HA\d{3}", "XI": r"\d{9}|\d{12}|GD\d{3}|HA\d{3}",
}  # fmt: skip
"""Format after the two-letter prefix (Greece uses EL, Northern Ireland XI)."""

EIN_UNISSUED_PREFIXES = frozenset(
    ["00", "07", "08", "09", "17", "18", "19", "28", "29", "49", "69", "70", "78", "79", "89", "96", "97"]
)
"""EIN prefixes the IRS never assigns (python-stdnum's us/ein list)."""

_SPACING = re.compile(r"[\s.\-/]")


def compact(value: str) -> str:
    """Upper case without spaces, dots, dashes or slashes."""
    return _SPACING.sub("", value).upper()


# --- IBAN -----------------------------------------------------------------------------------------


def iban_problem(iban: str) -> str | None:
    """Why the IBAN is invalid (structure, country length, mod-97, national check), or None —
    by schwifty's registry of every IBAN country (Brazil, Saudi Arabia, UAE, Ukraine... included)."""
    value = compact(iban)
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]+", value):
        return "IBAN must be a country code, two check digits and the account (letters and digits)"
    try:
        IBAN(value)
    except InvalidCountryCode:
        return f"IBAN country {value[:2]} is not an IBAN country"
    except InvalidLength as error:
        wanted = get_iban_spec(value[:2]).iban_length
        return f"IBAN for {value[:2]} must have {wanted} characters, has {len(value)} ({error})"
    except InvalidChecksumDigits:
        return "IBAN check digits are wrong (ISO 13616 mod-97)"
    except SchwiftyException as error:
        return f"IBAN is invalid: {error}"
    return None


def mod97(text: str) -> int:
    """Letters as numbers (A=10 ... Z=35), the whole taken mod 97."""
    return int("".join(str(int(char, 36)) for char in text)) % 97


# --- EU VAT ---------------------------------------------------------------------------------------


def vat_problem(vat: str, country: str | None = None) -> str | None:
    """Why an EU VAT number is implausible (prefix, format, check digits), or None."""
    value = compact(vat)
    prefix, number = value[:2], value[2:]
    if prefix not in VAT_FORMATS:
        if country and country.upper() in VAT_FORMATS:
            return f"VAT number must start with the country prefix {_prefix_for(country)}"
        return f"unknown VAT prefix {prefix!r}"
    if country and _prefix_for(country) != prefix and not (prefix == "XI" and country.upper() == "GB"):
        return f"VAT prefix {prefix} does not match the vendor's country {country.upper()}"
    if not re.fullmatch(VAT_FORMATS[prefix], number):
        return f"{prefix} VAT number {number!r} does not have the {prefix} format"
    if prefix in _STDNUM_CHECKED and not stdnum_vat.is_valid(prefix + number):
        return f"{prefix} VAT number {number} fails its check digit"
    check = _CHECKS.get(prefix)
    if check is not None and not check(number):
        return f"{prefix} VAT number {number} fails its check digit"
    return None


def _prefix_for(country: str) -> str:
    country = country.upper()
    return "EL" if country == "GR" else country


def _digits(number: str) -> list[int]:
    return [int(d) for d in number]


def luhn_valid(number: str) -> bool:
    total = 0
    for i, digit in enumerate(reversed(_digits(number))):
        if i % 2:
            digit *= 2
            digit -= 9 if digit > 9 else 0
        total += digit
    return total % 10 == 0


def _de(number: str) -> bool:
    product = 10
    for digit in _digits(number[:8]):
        s = (digit + product) % 10 or 10
        product = (2 * s) % 11
    return (11 - product) % 10 == int(number[8])


def _fr(number: str) -> bool:
    key, siren = number[:2], number[2:]
    if not siren.startswith("000") and not luhn_valid(siren):
        return False
    if key.isdigit():
        return int(key) == (12 + 3 * (int(siren) % 97)) % 97
    return True  # new-style alphanumeric keys: format only


def _nl(number: str) -> bool:
    rsin, suffix = number[:9], number[10:]
    weights = (9, 8, 7, 6, 5, 4, 3, 2, -1)
    company = sum(w * d for w, d in zip(weights, _digits(rsin), strict=True)) % 11 == 0 and int(suffix) > 0
    return company or mod97("NL" + number) == 1


def _it(number: str) -> bool:
    office = int(number[7:10])
    valid_office = 1 <= office <= 100 or office in (120, 121, 888, 999)
    return int(number[:7]) > 0 and valid_office and luhn_valid(number)


_DNI_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"


def _es(number: str) -> bool:
    first, last = number[0], number[-1]
    if first.isdigit():  # DNI: 8 digits + letter
        return number[:8].isdigit() and _DNI_LETTERS[int(number[:8]) % 23] == last
    if first in "XYZ":  # NIE
        return number[1:8].isdigit() and _DNI_LETTERS[int(str("XYZ".index(first)) + number[1:8]) % 23] == last
    if first in "KLM":  # DNI-based for special cases
        return number[1:8].isdigit() and _DNI_LETTERS[int(number[1:8]) % 23] == last
    if first not in "ABCDEFGHJNPQRSUVW" or not number[1:8].isdigit():
        return False
    total = 0
    for i, digit in enumerate(_digits(number[1:8])):
        if i % 2 == 0:
            digit *= 2
            digit = digit // 10 + digit % 10
        total += digit
    check = (10 - total % 10) % 10
    return last in (str(check), "JABCDEFGHI"[check])


def _gb(number: str) -> bool:
    if number.startswith("GD"):
        return int(number[2:]) < 500
    if number.startswith("HA"):
        return int(number[2:]) >= 500
    weights = (8, 7, 6, 5, 4, 3, 2, 10, 1)
    return sum(w * d for w, d in zip(weights, _digits(number[:9]), strict=True)) % 97 in (0, 42)


def _be(number: str) -> bool:
    return 97 - int(number[:8]) % 97 == int(number[8:])


def _lu(number: str) -> bool:
    return int(number[:6]) % 89 == int(number[6:])


def _pl(number: str) -> bool:
    weights = (6, 5, 7, 2, 3, 4, 5, 6, 7)
    total = sum(w * d for w, d in zip(weights, _digits(number[:9]), strict=True)) % 11
    return total != 10 and total == int(number[9])


def _dk(number: str) -> bool:
    weights = (2, 7, 6, 5, 4, 3, 2, 1)
    return sum(w * d for w, d in zip(weights, _digits(number), strict=True)) % 11 == 0


_CHECKS = {
    "DE": _de, "FR": _fr, "NL": _nl, "IT": _it, "ES": _es, "GB": _gb, "XI": _gb,
    "BE": _be, "LU": _lu, "PL": _pl, "DK": _dk,
}  # fmt: skip


# --- US EIN ---------------------------------------------------------------------------------------


def ein_problem(ein: str) -> str | None:
    """Why a US EIN is implausible (NN-NNNNNNN, issued prefix), or None. EINs have no check digit."""
    value = ein.strip()
    if not re.fullmatch(r"\d{2}-?\d{7}", value):
        return "EIN must be nine digits written NN-NNNNNNN"
    if value[:2] in EIN_UNISSUED_PREFIXES:
        return f"EIN prefix {value[:2]} is never issued by the IRS"
    return None


def tax_id_problem(tax_id: str, country: str | None) -> str | None:
    """EIN rules for US vendors, VAT rules for EU (and GB/XI) vendors; other countries unchecked."""
    if (country or "").upper() == "US":
        return ein_problem(tax_id)
    value = compact(tax_id)
    if value[:2] in VAT_FORMATS or (country or "").upper() in VAT_FORMATS or (country or "").upper() == "GR":
        return vat_problem(tax_id, country)
    return None
