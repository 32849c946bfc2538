"""Label vocabulary per field in English, German, French, Dutch, Spanish and Italian (domain reference §3.1).

Labels are matched on *folded* text (lower case, accents dropped, one character per character so
offsets survive) at the start of a phrase; when several labels match, the longest wins, so
"Total HT" is a subtotal, not a total, and "VAT Reg. No." is a tax id, not a tax amount.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from agents.ap.extract.label_prefixes import (
    Compiled,
    PrefixIndex,
    literal_prefix,
    needs_percent,
    structural_chars,
)
from agents.ap.extract.vocabulary_extra import CREDIT_WORDS_EXTRA, EXTRA_LABELS

NO = r"(?:no\.?|nr\.?|n\.?\s*[°o]\.?|#|number|nummer|numero)"
HEADER_LABELS: dict[str, tuple[str, ...]] = {
    "invoice_number": (
        rf"invoice\s*{NO}", r"invoice\s*id", rf"inv\.?\s*{NO}", rf"credit\s*(?:note|memo)\s*{NO}",
        rf"document\s*{NO}", r"rechnungsnummer", r"rechnungs-?\s*nr\.?", r"re\.?-?\s*nr\.?",
        rf"rechnung\s*{NO}", r"belegnr\.?", r"belegnummer", r"gutschrifts?-?\s*nr\.?", r"gutschriftsnummer",
        r"n[°o]\.?\s*(?:de\s*)?facture", r"numero\s*de\s*facture", r"facture\s*n[°o]\.?", r"n[°o]\s*d'avoir",
        r"avoir\s*n[°o]\.?", r"factuurnummer", r"factuurnr\.?", r"factuur\s*nr\.?", r"creditnotanummer",
        r"creditnota\s*nr\.?", r"beleg-?\s*nr\.?", r"numero\s*de\s*factura", r"n[°o]\.?\s*(?:de\s*)?factura",
        r"factura\s*n[°o.]?\s*[°o]?\.?", r"num(?:ero)?\.?\s*fattura", r"fattura\s*(?:n\.?|nr\.?|num(?:ero)?\.?)",
        r"n\.?\s*documento", r"numero\s*documento", r"facture\s*(?:n[°o]\.?|numero)", r"avoir\s*numero",
        r"nota\s*di\s*credito\s*n\.?", r"factuur\s*nummer",
        r"invoice\s*ref(?:erence|\.)?", rf"bill\s*{NO}", r"ref\.?\s*facture", r"reference\s*(?:de\s*(?:la\s*)?)?facture",
        r"num(?:ero)?\.?\s*(?:de\s*)?factura", r"nr?\.?\s*fattura", r"fattura\s*numero", r"documento\s*n\.?",
        r"rechnungs-?\s*nummer", r"factuur\s*no\.?", r"rechnung-\s*nr\.?", r"factura\s*numero", rf"tax\s*invoice\s*{NO}",
        r"referencia\s*(?:de\s*)?factura",
    ),
    "title_number": (
        r"invoice", r"tax\s*invoice", r"credit\s*note", r"rechnung", r"gutschrift", r"facture", r"avoir",
        r"factuur", r"creditnota", r"factura", r"fattura", r"nota\s*di\s*credito", r"factura\s*rectificativa",
    ),
    "invoice_date": (
        r"invoice\s*date", r"date\s*of\s*issue", r"issue\s*date", r"date", r"rechnungsdatum", r"datum",
        r"belegdatum", r"date\s*de\s*(?:la\s*)?facture", r"date\s*d'emission", r"factuurdatum",
        r"credit\s*note\s*date", r"gutschriftsdatum", r"date\s*de\s*l'avoir", r"beleg-?\s*datum",
        r"fecha(?:\s*de\s*(?:la\s*)?(?:factura|emision|expedicion))?", r"data(?:\s*(?:fattura|documento|emissione))?",
        r"datum\s*factuur", r"dated", r"issued\s*(?:at|on)",
        r"date\s*(?:de\s*)?(?:la\s*)?facture", r"fecha\s*(?:de\s*)?(?:la\s*)?factura", r"tax\s*point(?:\s*date)?",
        r"date\s*of\s*invoice", r"rechnungs-?\s*datum", r"ausstellungsdatum", r"data\s*di\s*emissione",
        r"factuur\s*datum", r"invoice\s*issue\s*date", r"emise?\s*le", r"date\s*issued", r"ausgestellt\s*am",
    ),
    "due_date": (
        r"due\s*date", r"payment\s*due(?:\s*date)?", r"due", r"faellig\s*am", r"fallig\s*am",
        r"falligkeitsdatum", r"falligkeitstag", r"falligkeit", r"zahlbar\s*bis", r"date\s*d'echeance", r"echeance",
        r"vervaldatum", r"te\s*betalen\s*voor", r"uiterste\s*betaaldatum", r"zahlbar\s*bis\s*(?:zum)?",
        r"(?:bitte\s*)?uberweisen\s*sie\s*(?:den\s*\w+\s*)?bis\s*(?:zum|spatestens)?",
        r"(?:please\s*)?(?:remit|pay)\s*(?:by|until|before|no\s*later\s*than)", r"payable\s*(?:by|until|before|on)",
        r"a\s*regler\s*avant\s*le", r"a\s*payer\s*avant\s*le", r"date\s*limite\s*de\s*paiement",
        r"fecha\s*de\s*vencimiento", r"vencimiento", r"pagar\s*antes\s*del?", r"(?:data\s*(?:di\s*)?)?scadenza",
        r"da\s*pagare\s*entro\s*il", r"betalen\s*voor", r"verval\s*datum",
        r"vervaldag", r"zahlungsziel", r"fallig\s*bis", r"zahlbar\s*bis\s*spatestens", r"vence\s*el",
        r"fecha\s*(?:de\s*)?vto\.?", r"vto\.?", r"da\s*pagare\s*entro", r"due\s*(?:by|on)", r"pay(?:ment)?\s*by",
        r"payment\s*due\s*(?:by|on)", r"date\s*limite\s*de\s*reglement", r"termijn", r"betaaltermijn(?:\s*tot)?",
        r"pagamento\s*entro(?:\s*il)?",
        r"uiterlijk\s*te\s*betalen(?:\s*(?:op|voor))?", r"payable\s*le",
    ),
    "po_number": (
        rf"po\s*{NO}", r"p\.o\.\s*(?:no\.?|number)?", rf"purchase\s*order(?:\s*{NO})?", rf"order\s*{NO}",
        r"your\s*order", r"your\s*ref(?:erence|\.)?", r"bestellnummer", r"bestell-?\s*nr\.?",
        r"ihre\s*bestellung(?:\s*nr\.?)?", r"ihre\s*bestellnummer", r"auftragsnummer", r"auftrags-?\s*nr\.?",
        r"n[°o]\.?\s*de\s*commande", r"numero\s*de\s*commande", r"bon\s*de\s*commande", r"votre\s*commande",
        r"inkoopordernummer", r"bestelnummer", r"ordernummer", r"uw\s*referentie", r"uw\s*bestelling",
        r"votre\s*reference", r"vos\s*references?", r"ref\.?\s*commande", r"uw\s*ordernummer",
        r"ihre\s*bestellnummer", r"bestell-?\s*nr\.?", r"numero\s*de\s*pedido", r"n[°o]\.?\s*(?:de\s*)?pedido",
        r"su\s*pedido", r"pedido", r"orden\s*de\s*compra", r"numero\s*ordine", r"rif\.?\s*ordine",
        r"vs\.?\s*ordine", r"ordine\s*(?:n\.?|nr\.?)", r"buyer\s*reference",
        rf"your\s*po(?:\s*{NO})?", rf"customer\s*po(?:\s*{NO})?", rf"client\s*po(?:\s*{NO})?",
        r"po\s*ref(?:erence|\.)?", r"order\s*ref(?:erence|\.)?", rf"your\s*order\s*{NO}",
        r"purchase\s*order\s*ref(?:erence|\.)?", r"ihre\s*bestell-?\s*nr\.?", r"bestellung\s*nr\.?",
        r"ihre\s*auftrags-?\s*nr\.?", r"bestellzeichen", r"commande\s*n[°o]\.?", r"n[°o]\.?\s*commande",
        r"reference\s*(?:de\s*)?commande", r"votre\s*commande\s*n[°o]\.?", r"uw\s*order(?:nummer|nr\.?)?",
        r"inkooporder(?:nummer|nr\.?)?", r"po-?\s*nummer", r"bestelling\s*nr\.?", r"ordernr\.?",
        r"pedido\s*n[°o]\.?", r"n[°o]\.?\s*pedido", r"su\s*referencia", r"referencia\s*(?:del\s*)?pedido",
        r"ordine\s*cliente", r"rif\.?\s*ordine\s*cliente", r"riferimento\s*ordine", r"n\.?\s*ordine",
        r"numero\s*d'ordine", r"ordine\s*d'acquisto", r"vs\.?\s*rif\.?", r"ihr\s*auftrag", r"pedido\s*(?:del\s*)?cliente", r"commande\s*client", r"referentie",
        r"vs\.?\s*riferimento",
        r"ihre?\s*zeichen", r"votre\s*ref\.?", r"rif\.?\s*vs\.?\s*ordine", r"uw\s*kenmerk",
        r"n[°o]\.?\s*(?:de\s*)?bon\s*de\s*commande", r"purchase\s*order\s*(?:no\.?|number|#)",
    ),
    "currency": (r"currency", r"wahrung", r"devise", r"monnaie", r"valuta"),
    "subtotal": (
        r"sub-?\s*total", r"net\s*amount", r"net\s*total", r"total\s*net", r"total\s*excl\.?\s*(?:vat|tax)",
        r"amount\s*excl\.?\s*(?:vat|tax)", r"total\s*before\s*tax", r"zwischensumme", r"nettobetrag",
        r"summe\s*netto", r"nettosumme", r"gesamt\s*netto", r"netto", r"total\s*ht", r"montant\s*ht",
        r"sous-?\s*total", r"subtotaal", r"totaal\s*excl\.?\s*btw", r"netto\s*bedrag", r"bedrag\s*excl\.?\s*btw",
        r"base\s*imponible", r"importe\s*neto", r"imponibile", r"subtotale", r"totale\s*imponibile",
        r"total\s*ht", r"montant\s*(?:total\s*)?ht", r"totaal\s*excl\.?", r"netto\s*summe",
        r"total\s*h\.\s*t\.?", r"montant\s*h\.\s*t\.?", r"totaal\s*exclusief(?:\s*btw)?",
        r"total\s*excl(?:uding|usive)?\.?\s*(?:of\s*)?(?:vat|tax)", r"bedrag\s*exclusief(?:\s*btw)?",
        r"rechnungssumme\s*netto", r"(?:totaal|total)\s*bedrag\s*excl(?:usief|\.)?(?:\s*btw)?",
    ),
    "tax": (
        r"vat", r"tax", r"sales\s*tax", r"includes\s*(?:vat|tax)", r"plus\s*vat", r"mwst\.?", r"ust\.?",
        r"umsatzsteuer", r"mehrwertsteuer", r"zzgl\.?\s*(?:mwst|ust)\.?", r"darin\s*enthaltene\s*(?:mwst|ust)\.?",
        r"enthaltene\s*(?:mwst|ust)\.?", r"tva", r"dont\s*tva", r"montant\s*tva", r"btw", r"waarvan\s*btw",
        r"totaal\s*btw", r"zuzugl\.?\s*(?:ust|mwst)\.?", r"zzgl\.?\s*\d+(?:[.,]\d+)?\s*%\s*(?:ust|mwst)\.?",
        r"(?:vat|tax)\s*total", r"total\s*(?:vat|taxes|tax)", r"total\s*tva", r"montant\s*(?:de\s*la\s*)?tva",
        r"iva", r"importe\s*iva", r"cuota\s*iva", r"totale\s*iva", r"imposta", r"btw-?\s*bedrag",
        r"mwst-?\s*betrag", r"ust-?\s*betrag", r"summe\s*(?:ust|mwst)", r"steuer",
        r"t\.\s*v\.\s*a\.?", r"\d+(?:[.,]\d+)?\s*%\s*(?:btw|vat|mwst|ust|tva|iva)\.?", r"total\s*(?:iva|igic)",
        r"(?:vat|tax)\s*@", r"summe\s*(?:ust|mwst)\.?", r"totaal\s*btw",
        r"summe\s*umsatzsteuer", r"(?:totaal|total)\s*bedrag\s*btw", r"versicherungs?steuer",
        r"(?:darin\s*)?enthaltene\s*versicherungs?steuer",
        r"in\s*(?:diese[mn]|dem)\s*(?:beitrag|betrag|preis|rechnungsbetrag)\s*enthaltene\s*(?:versicherungs?steuer|mwst|ust|umsatzsteuer|mehrwertsteuer)\.?",
    ),
    "amount_due": (
        r"amount\s*due", r"balance\s*due", r"due\s*payable", r"residual", r"amount\s*payable", r"total\s*due",
        r"zahlbetrag", r"zu\s*zahlen", r"offener\s*betrag", r"restbetrag", r"noch\s*zu\s*zahlen",
        r"net\s*a\s*payer", r"solde\s*a\s*payer", r"reste\s*a\s*payer", r"montant\s*a\s*payer",
        r"totaal\s*te\s*betalen", r"te\s*betalen", r"openstaand\s*bedrag", r"total\s*a\s*pagar",
        r"importe\s*a\s*pagar", r"netto\s*a\s*pagare", r"totale\s*da\s*pagare", r"importo\s*da\s*pagare",
        r"liquido\s*a\s*pagar", r"saldo\s*a\s*pagar", r"somme\s*a\s*payer", r"total\s*a\s*payer", r"balance\s*payable", r"bedrag\s*te\s*betalen", r"balance\s*to\s*pay",
    ),
    "prepaid": (
        r"prepaid(?:\s*amount)?", r"(?:less\s*)?payments?\s*received", r"less\s*paid", r"paid(?:\s*amount)?",
        r"advance\s*payment", r"deposit\s*paid", r"abzgl\.?\s*anzahlung", r"anzahlung", r"bereits\s*bezahlt",
        r"geleistete\s*anzahlung", r"acompte(?:\s*verse)?", r"deja\s*(?:paye|regle|verse)", r"anticipo(?:\s*recibido)?",
        r"acconto", r"gia\s*pagato", r"reeds\s*betaald", r"vooruitbetaald", r"aanbetaling",
        r"pagos?\s*a\s*cuenta", r"entrega\s*a\s*cuenta", r"anzahlung\s*erhalten", r"acompte\s*recu",
        r"paid\s*on\s*account", r"(?:abzgl\.?\s*)?abschlags?zahlung(?:en)?", r"acompte\s*deja\s*verse",
        r"(?:reeds\s*)?voldaan", r"entregas\s*a\s*cuenta", r"acconti(?:\s*versati)?",
    ),
    "total": (
        r"total", r"grand\s*total", r"amount\s*due", r"balance\s*due", r"total\s*due", r"total\s*amount",
        r"invoice\s*total", r"total\s*incl\.?\s*(?:vat|tax)", r"gesamtbetrag", r"rechnungsbetrag", r"endbetrag",
        r"summe\s*brutto", r"gesamtsumme", r"bruttobetrag", r"total\s*ttc", r"montant\s*ttc",
        r"totaal", r"totaal\s*incl\.?\s*btw", r"gutschriftsbetrag", r"bruttosumme", r"brutto",
        r"summe\s*inkl\.?\s*(?:ust|mwst)\.?", r"gesamt\s*inkl\.?\s*(?:ust|mwst)\.?", r"gross(?:\s*total|\s*amount)?",
        r"importe\s*total", r"total\s*factura", r"totale(?:\s*(?:documento|fattura))?", r"total\s*general",
        r"montant\s*total", r"totaalbedrag", r"factuurbedrag",
        r"total\s*t\.\s*t\.\s*c\.?", r"montant\s*t\.\s*t\.\s*c\.?", r"totaal\s*inclusief(?:\s*btw)?",
        r"total\s*incl(?:uding|usive)?\.?\s*(?:of\s*)?(?:vat|tax)",
        r"(?:totaal|total)\s*bedrag\s*incl(?:usief|\.)?(?:\s*btw)?", r"rechnungssumme\s*brutto",
        r"(?:(?:viertel|halb)?jahrlicher|monatlicher|gesamt)?\s*beitrag\s*inkl(?:usive|\.)?",
    ),
    "iban": (r"iban",),
    "vendor_tax_id": (
        r"vat\s*reg(?:istration)?\.?\s*(?:no\.?|number)?", r"vat\s*(?:id|no\.?|number)", r"tax\s*id", r"ein",
        r"tin", r"ust-?\s*id(?:nr)?\.?", r"ust-?\s*idnr\.?", r"umsatzsteuer-?\s*id(?:entifikationsnummer)?",
        r"n[°o]\.?\s*(?:de\s*)?tva(?:\s*intracommunautaire)?", r"tva\s*intracom(?:munautaire)?",
        r"numero\s*de\s*tva", r"btw-?\s*(?:nummer|nr\.?|id)", r"vat", r"mwst-?\s*nr\.?", r"vat-?\s*id",
        r"tva\s*intracom\.?", r"tva", r"nif", r"cif", r"p\.?\s*iva", r"partita\s*iva", r"ust-?\s*id",
        r"ust\.?\s*-?\s*ident(?:ifikations)?-?\s*nr\.?", r"nif-?\s*iva",
    ),
    "buyer_tax_id": (
        r"customer\s*vat\s*(?:no\.?|number|id)", r"your\s*vat\s*(?:no\.?|number|id)", r"ihre\s*ust-?\s*idnr\.?",
        r"n[°o]\.?\s*tva\s*client", r"uw\s*btw-?\s*nummer", r"btw-?\s*nummer\s*klant", r"customer\s*vat",
        r"tva\s*client", r"uw\s*btw-?\s*nr\.?", r"nif\s*cliente", r"p\.?\s*iva\s*cliente", r"customer\s*vat\s*number",
        r"ihre\s*ust\.?\s*-?\s*ident(?:ifikations)?-?\s*nr\.?", r"votre\s*n[°o]\.?\s*(?:de\s*)?tva",
        r"su\s*(?:nif|cif)", r"(?:customer|buyer)\s*(?:tax\s*id|abn|gstin)",
    ),
    "buyer_iban": (r"your\s*iban",),
    "delivery_date": (
        r"delivery\s*date", r"date\s*of\s*delivery", r"service\s*date", r"lieferdatum", r"leistungsdatum",
        r"liefertermin", r"date\s*de\s*livraison", r"leverdatum", r"leveringsdatum", r"leistungs-?\s*datum",
        r"liefer-?\s*bzw\.?\s*leistungsdatum", r"lieferschein-?\s*datum", r"bestell-?\s*datum",
        r"auftrag-?\s*datum(?:-?\s*lief)?", r"fecha\s*de\s*entrega", r"data\s*(?:di\s*)?consegna", r"date\s*of\s*delivery",
        r"ship(?:ping|ment)?\s*date", r"dispatch\s*date", r"fecha\s*entrega", r"order\s*date",
        r"bestelldatum", r"date\s*de\s*commande", r"besteldatum", r"fecha\s*(?:del\s*)?pedido", r"data\s*ordine",
        r"livre\s*le", r"date\s*of\s*supply", r"entregado\s*el", r"consegnato\s*il", r"leistungszeitraum",
    ),
    "customer_number": (
        r"customer\s*(?:no\.?|number|id|#)", r"account\s*(?:no\.?|number)", r"kundennummer", r"kunden-?\s*nr\.?",
        r"n[°o]\.?\s*client", r"numero\s*client", r"code\s*client", r"klantnummer", r"klantnr\.?",
        r"ihre\s*nummer", r"n[°o]\.?\s*cliente", r"cod\.?\s*cliente", r"codice\s*cliente",
        r"ref\.?\s*marche", r"agreement\s*ref\.?", r"contract\s*(?:no\.?|ref\.?)", r"auftrag-?\s*nr-?\s*lief",
        r"lieferschein-?\s*nr", r"delivery\s*note", r"mandatsreferenz", r"glaubiger-?\s*id",
        r"client\s*(?:no\.?|number|id|#|n[°o]\.?)", r"debiteurnummer", r"debiteur\s*nr\.?", r"kd\.?-?\s*nr\.?",
        r"cliente\s*n[°o.]?", r"codigo\s*(?:de\s*)?cliente", r"cliente\s*n\.", r"compte\s*client", r"relatienummer",
        r"debitor(?:\s*nr\.?)?",
    ),
    "arrears": (
        r"ausstehende\s*forderung(?:en)?", r"(?:vorheriger|alter)\s*saldo", r"ruckstand", r"ruckstande",
        r"previous\s*balance", r"balance\s*(?:brought\s*)?forward", r"arrears", r"prior\s*balance",
        r"solde\s*(?:anterieur|precedent)", r"impaye\s*anterieur", r"saldo\s*(?:anterior|precedente)",
        r"vorig\s*saldo", r"achterstand",
    ),
    "tax_number": (
        r"steuer-?\s*nr\.?", r"steuernummer", r"st\.?-?\s*nr\.?", r"steuer-?\s*nummer", r"numero\s*fiscal",
        r"codice\s*fiscale", r"siret", r"siren",
    ),
    "our_reference": (
        r"our\s*ref(?:erence|\.)?", r"unser\s*zeichen", r"notre\s*ref(?:erence|\.)?", r"ons\s*kenmerk",
        r"nuestra\s*ref(?:erencia|\.)?", r"ns\.?\s*rif(?:erimento|\.)?",
    ),
    "bill_to": (
        r"bill\s*to", r"invoice\s*to", r"sold\s*to", r"customer", r"rechnungsempfanger", r"rechnungsadresse",
        r"kunde", r"facture\s*a", r"adresse\s*de\s*facturation", r"client", r"factuuradres", r"klant",
        r"billed\s*to", r"rechnungsanschrift", r"cliente", r"spett\.?\s*le", r"destinatario", r"aan",
        r"adresse\s*de\s*livraison", r"delivery\s*address", r"lieferanschrift", r"warenempfanger",
    ),
}  # fmt: skip
"""Field → label patterns (on folded text). ``delivery_date``, ``customer_number``, ``buyer_tax_id``,
``buyer_iban``, ``our_reference`` (the vendor's own reference beside the buyer's) and ``tax_number`` (a
registration number: ``Steuer-Nr.``, SIRET) are read only so that their labels are claimed: a delivery
date must not become the invoice date, nor the customer's VAT id the vendor's, nor "Our ref" the purchase
order, nor the digits of "Steuer-Nr. 044 241 601 03" a tax amount."""

HEADER_LABELS = {name: group + EXTRA_LABELS.get(name, ()) for name, group in HEADER_LABELS.items()}

CREDIT_NOTE_WORDS = re.compile(
    rf"\b({CREDIT_WORDS_EXTRA}|credit\s*(?:note|memo)|gutschrift|rechnungskorrektur|avoir|creditnota|factura\s*rectificativa|abono"
    r"|nota\s*di\s*credito)\b"
)
DOCUMENT_TITLES = re.compile(
    r"^(?:tax\s*)?(invoice|rechnung|facture|factuur|credit\s*note|gutschrift|avoir|creditnota|factura|fattura"
    r"|nota\s*di\s*credito|factura\s*rectificativa|warenrechnung|fatura|faktura(?:\s*vat)?|kreditnota|kreditfaktura"
    r"|creditfactuur|nota\s*de\s*credito|faktura\s*korygujaca|credit\s*memo|w\s*a\s*r\s*e\s*n\s*r\s*e\s*c\s*h\s*n\s*u\s*n\s*g)$"
)

COLUMN_LABELS: dict[str, tuple[str, ...]] = {
    "pos": (r"pos\.?", r"position", r"no\.?", r"nr\.?", r"#", r"ref\.?", r"line", r"item"),
    "description": (
        r"description", r"item\s*description", r"article", r"product", r"service", r"bezeichnung",
        r"beschreibung", r"artikel(?:bezeichnung)?", r"leistung", r"designation", r"libelle",
        r"omschrijving", r"artikelomschrijving",
    ),
    "quantity": (r"qty\.?", r"quantity", r"menge", r"anzahl", r"qte\.?", r"quantite", r"aantal", r"hours"),
    "unit": (r"unit", r"uom", r"u/m", r"einheit", r"eh", r"me", r"unite", r"eenheid"),
    "unit_price": (
        r"unit\s*price", r"price", r"rate", r"einzelpreis", r"e-?preis", r"preis", r"prix\s*unitaire(?:\s*ht)?",
        r"p\.?u\.?(?:\s*ht)?", r"prix", r"stukprijs", r"prijs(?:\s*per\s*eenheid)?", r"eenheidsprijs",
    ),
    "amount": (
        r"amount", r"total", r"line\s*total", r"net\s*amount", r"gesamtpreis", r"gesamt", r"betrag",
        r"summe", r"montant(?:\s*ht)?", r"total\s*ht", r"bedrag", r"totaal",
    ),
    "po_line": (r"po\s*line", r"po\s*pos\.?", r"best\.?-?\s*pos\.?", r"bestellpos\.?", r"ligne\s*cde",
                r"ligne\s*de\s*commande", r"orderregel"),
}  # fmt: skip
"""Line-table column → header label patterns (on folded text)."""


class _FoldTable(dict[int, str]):
    """`str.translate` table that folds each character on first sight and remembers it."""

    def __missing__(self, codepoint: int) -> str:
        decomposed = unicodedata.normalize("NFKD", chr(codepoint))
        folded = (decomposed[0] if decomposed else chr(codepoint)).lower()[:1] or chr(codepoint)
        self[codepoint] = folded
        return folded


_FOLD = _FoldTable()


def fold(text: str) -> str:
    """Lower-case and drop accents, keeping exactly one output character per input character
    (plain ASCII, most of a page, needs no table: lower-casing is all its folding does)."""
    return text.lower() if text.isascii() else text.translate(_FOLD)


_NUMBER_WORD = r"(?:(?:n\.?\s*[°o](?![a-z0-9])\.?|(?:nr|no|num)(?![a-z0-9])\.?|n\.)\s*[:#]?\s*(?=[\w(]))?"
"""A number word printed after any label ("Rif. Vs. ordine n.", "Su pedido nº", "Order no.") is part of
the label, when a value follows it."""


class LabelSet:
    """Compiled label patterns indexed by the letters they begin with (`label_prefixes`), so
    matching a phrase tries the handful of labels that can start with its first letters instead of
    all of them.

    Compiled on first use: about a thousand patterns take most of a second, which every process
    that merely imports the extractor (each CLI command does, through the wiring) would pay."""

    def __init__(self, labels: dict[str, tuple[str, ...]]) -> None:
        self._labels = labels
        self._index: tuple[dict[str, list[Compiled]], list[Compiled], PrefixIndex] | None = None

    @property
    def by_first(self) -> dict[str, list[Compiled]]:
        return self._compiled()[0]

    @property
    def anywhere(self) -> list[Compiled]:
        return self._compiled()[1]

    def _compiled(self) -> tuple[dict[str, list[Compiled]], list[Compiled], PrefixIndex]:
        if self._index is not None:
            return self._index
        keyed: dict[str, list[tuple[str, Compiled]]] = {}
        anywhere: list[Compiled] = []
        percent: set[Compiled] = set()
        for name, group in self._labels.items():
            for source in dict.fromkeys(alt for label in group for alt in _leading_alternatives(label)):
                # a label ends at a word boundary, except after "#", ":" or "°" ("Invoice #A-123", "Facture n°562")
                compiled = (
                    name,
                    re.compile(rf"(?:{source})(?:(?<=[#:°])|(?![a-z0-9]))\s*[:#.]?\s*{_NUMBER_WORD}"),
                )
                if needs_percent(source):
                    percent.add(compiled)
                first = source[0]
                if first.isalnum() and (len(source) == 1 or source[1] not in "?*{"):
                    firsts = first
                elif first == "#":
                    firsts = "#"
                elif source.startswith("\\d"):
                    firsts = "0123456789"
                else:
                    anywhere.append(compiled)
                    continue
                for char in firsts:
                    keyed.setdefault(char, []).append((literal_prefix(source, char), compiled))
        by_first = {char: [compiled for _, compiled in patterns] for char, patterns in keyed.items()}
        self._index = (by_first, anywhere, PrefixIndex(keyed, anywhere, percent))
        return self._index

    def candidates(self, folded: str, start: int) -> list[Compiled]:
        """The patterns that may match `folded` at `start`, in their order."""
        return (self._index or self._compiled())[2].candidates(folded, start)

    def may_start(self, folded: str) -> bool:
        """Whether any label may begin `folded` (or any text that starts with it and a space, which
        may hold a "%" where `folded` has none: the lists that keep the percent labels answer)."""
        index = (self._index or self._compiled())[2]
        return bool(index.candidates(folded, 0, index.table))

    def fields_at(self, folded: str) -> frozenset[str]:
        """The fields whose labels may begin `folded` (or any text that starts with it and a space)."""
        return (self._index or self._compiled())[2].fields_at(folded)


def _leading_alternatives(source: str, depth: int = 0) -> list[str]:
    """A label pattern that opens with a group, ``(?:your|customer)\\s*po`` or ``(?:nr\\s*)?faktura``,
    as the patterns of each way it can begin, so that each is indexed by a first letter rather than
    tried at every phrase start. Other patterns come back unchanged."""
    if depth > 3 or not source.startswith("(?:"):
        return [source]
    level, parts, start = 0, [], 3
    for index, char in structural_chars(source, 3):
        if char == "(":
            level += 1
        elif char == "|" and level == 0:
            parts.append(source[start:index])
            start = index + 1
        elif char == ")" and level > 0:
            level -= 1
        elif char == ")":
            parts.append(source[start:index])
            rest = source[index + 1 :]
            if rest[:1] in ("*", "+", "{"):
                return [source]
            optional = rest.startswith("?")
            rest = rest[1:] if optional else rest
            found = [alt for part in parts for alt in _leading_alternatives(part + rest, depth + 1)]
            if optional:
                skipped = rest[3:] if rest.startswith("\\s*") else rest
                found += _leading_alternatives(skipped, depth + 1) if skipped else [source]
            return found
    return [source]


HEADER_PATTERNS = LabelSet(HEADER_LABELS)
COLUMN_PATTERNS = LabelSet(COLUMN_LABELS)


def match_label(folded: str, patterns: LabelSet, start: int = 0) -> tuple[str, int] | None:
    """The field whose longest label matches `folded` at `start`, and where the label ends
    (remembered: the same phrase is asked about by several readers of one document)."""
    return _match_label(folded, patterns, start)  # one cache key however `start` was passed


@lru_cache(maxsize=1 << 14)
def _match_label(folded: str, patterns: LabelSet, start: int) -> tuple[str, int] | None:
    if start >= len(folded):
        return None
    best: tuple[str, int] | None = None
    for name, pattern in patterns.candidates(folded, start):
        match = pattern.match(folded, start)
        if match and (best is None or match.end() > best[1]):
            best = (name, match.end())
    return best
