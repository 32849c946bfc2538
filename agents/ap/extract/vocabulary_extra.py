"""More label words per field: synonyms in the six core languages that real invoices use besides
the ones in `vocabulary`, and Portuguese, Polish, Swedish and Danish (domain reference §3.1).

Patterns are matched on folded text (lower case, accents dropped): ``Fälligkeit`` is ``fallig``,
``zamówienia`` is ``zamowienia``, ``N.º`` is ``n.o``. Letters without a decomposition stay as
printed (``ł``, ``ø``), so patterns spell them as a class (``p[lł]atnosci``, ``bel[oø]b``).
`vocabulary` appends these to its own tuples; the longest match still wins, so ``Kvar att betala``
is an amount due and ``Momsreg.nr`` a tax id, not a tax amount.
"""

from __future__ import annotations

N = r"(?:n\.?\s*[°o]\.?|nr\.?|no\.?|#|numer|nummer|numero|number)"
"""A number word after a label: ``Nr.``, ``No.``, ``N°``, ``N.º``, ``#``, ``numer`` ..."""

EXTRA_LABELS: dict[str, tuple[str, ...]] = {
    "invoice_number": (
        rf"{N}\s*fra\.?", r"fra\.?\s*n\.?\s*[°o]?\.?", r"fatt\.?\s*(?:n\.?|nr\.?|num\.?)",
        rf"our\s*invoice\s*(?:{N}|ref(?:erence|\.)?)", rf"doc\.?\s*{N}", r"faktura-?\s*nr\.?",
        r"rg\.?-?\s*nr\.?", r"rechnung\s*nummer", r"numero\s*(?:de\s*)?facture", r"n\.?\s*[°o]\.?\s*(?:de\s*)?piece",
        r"factuur\s*referentie", r"nummer\s*factuur", r"num\.?\s*factura", r"factura\s*num\.?",
        rf"fatura(?:-recibo)?\s*{N}", rf"{N}\s*(?:da\s*)?fatura", r"numero\s*(?:da\s*)?fatura",
        rf"faktura\s*(?:vat\s*)?{N}", r"(?:nr|numer)\s*faktury", rf"faktura\s*korygujaca\s*{N}",
        r"fakturanummer", r"fakturanr\.?", rf"faktura\s*{N}", rf"kreditfaktura\s*{N}", rf"kreditnota\s*{N}",
        r"kreditnotanr\.?", rf"credit\s*memo\s*{N}", rf"nota\s*de\s*credito\s*{N}", rf"documento\s*{N}",
    ),
    "title_number": (
        r"fatura", r"faktura", r"faktura\s*vat", r"kreditnota", r"kreditfaktura", r"creditfactuur",
        r"nota\s*de\s*credito", r"faktura\s*korygujaca", r"credit\s*memo",
    ),
    "invoice_date": (
        r"inv\.?\s*date", r"(?:re|rg)\.?-?\s*datum", r"f\.?\s*(?:de\s*)?emision", r"data\s*doc(?:umento|\.)?", r"doc(?:ument)?\.?\s*date",
        r"tax\s*date", r"invoice\s*dated", r"billing\s*date", r"fakturadatum", r"datum\s*der\s*rechnung",
        r"facture\s*du", r"date\s*d'edition", r"fecha\s*(?:de\s*)?emision", r"data\s*(?:de\s*)?emissao",
        r"data\s*(?:da\s*)?fatura", r"data\s*wystawienia", r"data\s*faktury", r"fakturadato", r"dato",
        r"udstedelsesdato", r"utfardandedatum", r"issued", r"date\s*d'emission", r"fecha\s*de\s*expedicion",
    ),
    "due_date": (
        r"scadenze", r"terms\s*/\s*due\s*date",
        r"zahlungsziel\s*bis", r"betalingstermijn(?:\s*tot)?", r"f\.?\s*(?:de\s*)?vencimiento", r"f\.?\s*vto\.?", r"scad\.?",
        r"due\s*on", r"pay\s*before", r"zahlbar\s*am", r"faellig(?:\s*am)?", r"a\s*payer\s*le",
        r"paiement\s*(?:avant|au\s*plus\s*tard)\s*le", r"fecha\s*(?:de\s*)?vencimiento", r"scadenza\s*pagamento",
        r"(?:data\s*(?:de\s*)?)?vencimento", r"pagar\s*ate", r"data\s*limite(?:\s*de\s*pagamento)?",
        r"termin\s*p[lł]atnosci", r"p[lł]atne\s*do", r"data\s*p[lł]atnosci", r"forfallodatum", r"forfallodag",
        r"forfaller", r"betalas\s*senast", r"sista\s*betalningsdag", r"forfaldsdato", r"betalingsfrist",
        r"sidste\s*rettidige\s*betalingsdato", r"betales\s*senest", r"betalingsdato",
        r"payable\s*avant\s*le", r"zahlungstermin", r"betaaldatum", r"fecha\s*(?:de\s*)?pago", r"vence",
        r"date\s*de\s*paiement", r"(?:payment|pay)\s*(?:date|deadline)", r"data\s*(?:di\s*)?pagamento",
        r"zahlungsfrist", r"due\s*by",
        r"date\s*due", r"vencimientos", r"falligkeiten", r"echeances", r"vervaldagen", r"payment\s*schedule",
        r"due\s*dates", r"zahlungsplan", r"echeancier", r"fallig", r"(?:remboursement|reglement|paiement|a\s*regler|a\s*payer)\s*(?:avant\s*le|au\s*plus\s*tard\s*le|le)",
        r"echeance\s*(?:le|du\s*paiement)", r"data\s*(?:di\s*)?scadenza\s*(?:pagamento)?", r"te\s*betalen\s*(?:voor|op|uiterlijk)",
        r"fecha\s*(?:limite\s*)?(?:de\s*)?pago", r"pagadero\s*(?:antes\s*del?|el|hasta\s*el)",
    ),
    "po_number": (
        r"your\s*order\s*ref(?:erence|\.)?", r"ihre?\s*auftrags?-?\s*(?:nummer|nr\.?)", r"ihre?\s*bestellnr\.?", r"ref\.?\s*(?:de\s*)?(?:votre|la)\s*commande", r"uw\s*inkoop(?:nummer|nr\.?|order(?:nummer|nr\.?)?)", r"inkooporder\s*nr\.?", r"ref\.?\s*pedido\s*(?:del\s*)?cliente",
        rf"cust(?:omer)?\.?\s*order(?:\s*(?:{N}|ref(?:erence|\.)?))?", rf"requisition\s*(?:{N})?",
        rf"buyer'?s?\s*order(?:\s*{N})?", rf"p/o\s*(?:{N})?", rf"client\s*order(?:\s*{N})?",
        rf"bestellung(?:\s*{N})?", rf"ihre?\s*best\.?-?\s*{N}", rf"best\.?-?\s*{N}", r"bestellnr\.?",
        rf"auftrag\s*{N}", rf"kundenauftrag(?:s?-?\s*{N})?", rf"commande(?:\s*{N})?", rf"{N}\s*(?:de\s*)?bc",
        rf"uw\s*bestel(?:nummer|nr\.?|ling\s*{N})", rf"su\s*pedido\s*{N}", rf"pedido\s*{N}",
        rf"(?:vs\.?|vostro)\s*ordine(?:\s*{N})?", rf"ordine(?:\s*{N})?", r"ordine\s*(?:di\s*)?acquisto",
        rf"(?:{N}\s*)?(?:da\s*)?encomenda(?:\s*{N})?", r"v/?\.?\s*encomenda", rf"requisicao(?:\s*{N})?",
        r"nota\s*de\s*encomenda", r"ordem\s*de\s*compra", r"pedido\s*de\s*compra",
        rf"{N}\s*zamowienia", rf"zamowienie(?:\s*{N})?", r"ert\s*ordernr\.?", r"er\s*order(?:nummer|nr\.?)?",
        r"bestallningsnummer", rf"bestallning(?:\s*{N})?", r"inkopsorder(?:nummer|nr\.?)?", r"er\s*referens",
        r"ordrenr\.?", r"ordrenummer", r"rekvisitionsnr\.?", r"rekvisitionsnummer", r"jeres\s*ordre(?:nr\.?)?",
        r"deres\s*ordre(?:nr\.?)?", r"k[oø]bsordre(?:nr\.?|nummer)?",
        rf"(?:your|customer|client|buyer'?s?)\s*purchase\s*order(?:\s*{N})?", r"(?:customer|client)\s*reference",
        rf"kunden-?\s*bestell(?:nummer|ung|-?\s*{N})", rf"kunden-?\s*auftrags?(?:nummer|-?\s*{N})",
        rf"(?:{N}\s*(?:de\s*)?)?commande\s*client", r"votre\s*bon\s*de\s*commande", r"bestelnummer\s*klant",
        r"inkoop(?:nummer|nr\.?)", rf"(?:{N}|numero)\s*de\s*pedido\s*(?:del\s*)?cliente",
        r"su\s*ref(?:erencia)?\.?\s*(?:de\s*)?pedido", r"ref(?:erencia)?\.?\s*(?:de\s*)?pedido",
        r"(?:vs\.?|vostro|vostra)\s*rif(?:erimento)?\.?\s*ordine", rf"ordine\s*cliente(?:\s*{N})?",
        # the buyer's reference without the word "order" (read, but below auto-post: `reference_roles`)
        r"uw\s*ref(?:erentie|\.)?", r"(?:cust(?:omer)?\.?|client|buyer'?s?)\s*ref(?:erence|\.)?", r"reference",
        r"ref(?:erence|\.)?\s*client", r"source\s*document", r"kunden-?\s*referenz", r"ihre\s*referenz",
        r"referencia\s*(?:del\s*)?cliente", r"riferimento\s*cliente", r"klant\s*referentie", r"referentie\s*klant",
        # order labels
        r"dati\s*(?:dell'\s*)?ordine(?:\s*(?:di\s*|d'\s*)?acquisto)?", rf"(?:{N}|numero)\s*(?:d')?engagement",
        r"engagement\s*juridique", rf"{N}\s*(?:de\s*)?pedido\s*(?:del\s*)?cliente", r"(?:bestell|auftrags)(?:nummer|-?\s*nr\.?)\s*des\s*(?:kunden|auftraggebers|bestellers)",
        rf"(?:your|customer|client)\s*order\s*(?:{N}|ref(?:erence|\.)?)?", rf"p\.\s*o\.\s*{N}?", r"bestellreferenz", r"bestelnr\.?", r"po-\s*nr\.?",
        r"po(?=\s*(?::|$))",  # a bare "PO:" or a caption "PO" (never "PO Box")
    ),
    "our_reference": (
        # the seller's own order, confirmation and delivery numbers: never the buyer's purchase order
        r"auftragsbestatigung(?:s-?\s*(?:nr\.?|nummer))?", r"ab-?\s*nr\.?", r"unser(?:e)?\s*auftrag(?:s-?\s*nr\.?|snummer)?",
        rf"our\s*order(?:\s*(?:{N}|ref(?:erence|\.)?))?", rf"sales\s*order(?:\s*{N})?", rf"order\s*confirmation(?:\s*{N})?",
        r"onze\s*ref(?:erentie|\.)?", r"onze\s*order(?:nummer|nr\.?)?", r"orderbevestiging", r"nuestro\s*pedido",
        r"(?:ns\.?|nostro)\s*ordine", r"conferma\s*(?:d'\s*)?ordine", r"confirmation\s*de\s*commande", r"notre\s*commande",
        r"ddt(?:\s*n\.?)?", r"documento\s*di\s*trasporto", r"bon\s*de\s*livraison", rf"bl\s*{N}", r"pakbon(?:nummer|nr\.?)?",
        r"albaran", r"lieferschein(?:nummer)?", r"unsere\s*bestellbestatigung",
        r"vor\s*ref(?:erence|\.)?", r"vores\s*ref(?:erence|\.)?", r"var\s*referens", r"nossa\s*ref(?:erencia|\.)?",
        r"n/\s*ref(?:\.|erencia)?", r"nasz(?:e|a)?\s*(?:nr|znak)", r"unsere\s*referenz",
    ),
    "subtotal": (
        r"goods\s*(?:total|value)", r"net\s*value", r"total\s*net\s*amount", r"taxable\s*amount",
        r"amount\s*before\s*tax", r"warenwert(?:\s*netto)?", r"nettowert", r"netto\s*gesamt", r"gesamtnetto",
        r"montant\s*hors\s*taxes?", r"total\s*hors\s*taxes?", r"base\s*h\.?\s*t\.?", r"netto\s*totaal",
        r"totaal\s*netto", r"total\s*neto", r"totale\s*netto", r"total\s*iliquido", r"total\s*s(?:em|/)\s*iva",
        r"base\s*tributavel", r"incidencia", r"razem\s*netto", r"wartosc\s*netto", r"suma\s*netto",
        r"summa\s*exkl\.?\s*moms", r"belopp\s*exkl\.?\s*moms", r"nettobelopp", r"delsumma", r"nettobel[oø]b",
        r"bel[oø]b\s*ekskl\.?\s*moms", r"i\s*alt\s*ekskl\.?\s*moms", r"total\s*ekskl\.?\s*moms",
        r"amount\s*(?:excl(?:uding|usive|\.)?|before|net\s*of)\s*(?:of\s*)?(?:vat|tax(?:es)?|gst)",
        r"(?:gesamt|rechnungs|end)?betrag\s*netto", r"summe\s*(?:der\s*)?positionen", r"total\s*net(?:\s*h\.?\s*t\.?)?",
        r"net\s*(?:total|amount)\s*h\.?\s*t\.?", r"totaal\s*excl(?:usief|\.)?\s*(?:btw|belasting)",
        r"total\s*sin\s*iva", r"importe\s*sin\s*iva", r"totale\s*(?:senza|escluso)\s*iva",
        r"(?:total|summe|betrag|gesamt)\s*exkl\.?(?:\s*(?:mwst|ust)\.?)?", r"importo\s*totale\s*imponibile",
        r"(?:sum|total|bel[oø]p|netto)\s*eks(?:kl)?\.?\s*mva", r"total\s*hors\s*tva", r"base\s*imponibile",
    ),
    "tax": (
        r"totale\s*imposta", r"i\.\s*v\.\s*a\.?",
        r"total\s*(?:do\s*)?iva", r"kwota\s*vat", r"podatek\s*vat", r"moms", r"summa\s*moms", r"momsbelopp",
        r"momsbel[oø]b", r"moms\s*\d+(?:[.,]\d+)?\s*%", r"\d+(?:[.,]\d+)?\s*%\s*moms",
        r"(?:vat|tax|gst)\s*amount", r"amount\s*of\s*(?:vat|tax)", r"(?:zzgl\.?|zuzugl\.?|plus)\s*(?:mwst|ust)\.?",
        r"importe\s*(?:del\s*)?iva", r"importo\s*iva", r"bedrag\s*btw",
        r"total\s*(?:mwst|ust)\.?", r"importo\s*totale\s*imposta", r"mva", r"merverdiavgift", r"sum\s*mva",
    ),
    "total": (
        r"total\s*payable", r"bruttowert", r"rechnungssumme", r"total\s*toutes\s*taxes\s*comprises",
        r"montant\s*total\s*t\.?\s*t\.?\s*c\.?", r"totaal\s*bedrag", r"eindtotaal", r"totale\s*generale",
        r"total\s*(?:do\s*)?documento", r"total\s*(?:da\s*)?fatura", r"total\s*com\s*iva", r"valor\s*total",
        r"total\s*geral", r"razem\s*brutto", r"wartosc\s*brutto", r"suma\s*brutto", r"ogolem", r"razem",
        r"summa", r"totalt(?:\s*belopp)?", r"i\s*alt", r"total\s*inkl\.?\s*moms", r"bel[oø]b\s*i\s*alt",
        r"summa\s*inkl\.?\s*moms",
        r"amount\s*(?:incl(?:uding|usive|\.)?)\s*(?:of\s*)?(?:vat|tax(?:es)?|gst)", r"(?:gesamt|rechnungs|end)?betrag\s*brutto",
        r"total\s*(?:con\s*)?iva\s*incluido", r"totale\s*(?:ivato|iva\s*inclusa|compresa\s*iva)",
        r"totaal\s*incl(?:usief|\.)?\s*(?:btw|belasting)",
        r"(?:total|summe|betrag|gesamt)\s*inkl\.?\s*(?:mwst|ust)\.?", r"(?:sum|total|totalt)\s*inkl\.?\s*mva",
    ),
    "amount_due": (
        r"zu\s*zahlender\s*(?:betrag|beitrag|gesamtbetrag)", r"(?:total\s*)?amount\s*to\s*(?:be\s*)?paid", r"montant\s*(?:net\s*)?a\s*regler",
        r"do\s*zap[lł]aty", r"pozosta[lł]o\s*do\s*zap[lł]aty", r"valor\s*a\s*pagar", r"nog\s*te\s*betalen",
        r"kvar\s*att\s*betala", r"att\s*betala", r"at\s*betale", r"restbel[oø]b", r"please\s*pay",
        r"total\s*amount\s*due", r"amount\s*outstanding", r"saldo\s*(?:a\s*(?:pagar|favor))?",
        r"outstanding\s*(?:balance|amount)", r"solde\s*(?:du|restant(?:\s*du)?)", r"reste\s*du", r"te\s*voldoen",
        r"openstaand(?:\s*saldo)?", r"restant\s*(?:te\s*betalen)?", r"offener\s*rechnungsbetrag", r"noch\s*offen",
        r"a\s*betale", r"bel[oø]p\s*a\s*betale",
        r"liquido\s*a\s*pagar", r"pendiente(?:\s*de\s*pago)?", r"importo\s*residuo", r"residuo\s*da\s*pagare",
    ),
    "prepaid": (
        r"betaald", r"a\s*cuenta", r"adiantamento", r"zap[lł]acono", r"forskott", r"forudbetalt",
        r"deposit(?:\s*paid)?", r"payments?\s*/\s*credits", r"acompte\s*recu", r"ja\s*pago",
        r"payments?\s*(?:received|made)", r"amount\s*paid", r"bereits\s*(?:gezahlt|geleistet|erhalten)",
        r"erhaltene\s*anzahlung(?:en)?", r"vooruitbetaling", r"vooruitbetaald", r"al\s*betaald", r"anticipo",
        r"pagado", r"importe\s*pagado", r"gia\s*versato", r"acompte\s*(?:paye|regle)",
    ),
    "vendor_tax_id": (
        r"momsreg(?:istrerings)?\.?\s*(?:nr\.?|nummer)", r"cvr-?\s*(?:nr\.?|nummer)?", r"se-?\s*nr\.?", r"nip",
        r"contribuinte", r"n\.?\s*[°o]?\.?\s*contribuinte", r"vat\s*reg\.?\s*no\.?", r"org\.?\s*nr\.?",
    ),
    "customer_number": (
        r"nr\.?\s*klienta", r"kundnummer", r"kundnr\.?", r"kundenr\.?", r"kundenummer", r"acct\.?\s*#",
        r"account\s*#", r"cust(?:omer)?\.?\s*id", r"n\.?\s*[°o]\.?\s*(?:de\s*)?cliente",
        r"cod\.?\s*cliente", r"codigo\s*cliente",
    ),
    "delivery_date": (
        r"data\s*sprzedazy", r"data\s*dostawy", r"data\s*(?:de\s*)?entrega", r"leveransdatum", r"leveringsdato",
        r"despatch\s*date", r"date\s*of\s*despatch",
    ),
    "currency": (r"waluta", r"moeda"),
    "bill_to": (r"nabywca", r"odbiorca", r"faturar\s*a", r"kund", r"fakturaadress", r"fakturaadresse"),
}  # fmt: skip

CREDIT_WORDS_EXTRA = (
    r"creditfactuur|kreditnota|kreditfaktura|nota\s*de\s*credito|faktura\s*korygujaca|stornorechnung"
    r"|credit\s*invoice"
)
"""Titles of credit notes in the added languages (and ones the core list lacked)."""
