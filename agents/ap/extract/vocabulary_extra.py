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
        r"(?:bitte\s*)?uberweisen\s*sie\s*(?:den|die|das)\s*(?:[a-z]+\s*){1,2}bis\s*(?:zum|spatestens)?",
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
        rf"(?:your|customer|client)\s*order\s*(?:{N}|ref(?:erence|\.)?)?", rf"p\.\s*o\.\s*{N}?", r"bestellreferenz", r"ihre\s*bestellreferenz", r"(?:uw\s*)?bestelbon(?:nummer|\s*nr\.?)?", r"bestelnr\.?", r"po-\s*nr\.?",
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
        r"(?:vat|tax|gst)\s*amount", r"amount\s*of\s*(?:vat|tax)", r"(?:zzgl\.?|zuzugl\.?|plus)\s*(?:mwst|ust)\.?", r"(?:zzgl\.?|zuzugl\.?|plus)\s*(?:umsatzsteuer|mehrwertsteuer)",
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
        r"openstaand(?:\s*saldo)?", r"restant\s*(?:te\s*betalen)?", r"offener\s*rechnungsbetrag", r"offener\s*saldo", r"rest\s*saldo", r"saldo\s*offen", r"noch\s*offen",
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
        r"identificativo\s*fiscale(?:\s*ai\s*fini\s*iva)?", r"id\.?\s*fiscale\s*iva", r"btw-?\s*id(?:nr\.?)?",
        r"numero\s*(?:de\s*)?identificacion\s*fiscal", r"n\.?\s*i\.?\s*f\.?", r"c\.?\s*i\.?\s*f\.?",
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
    "bill_to": (
        r"nabywca", r"odbiorca", r"faturar\s*a", r"kund", r"fakturaadress", r"fakturaadresse", r"invoiced\s*to",
        r"ship\s*to", r"deliver\s*to", r"buyer", r"purchaser", r"leistungsempfanger", r"kaufer", r"rechnung\s*an",
        r"destinataire", r"acheteur", r"facture\s*a", r"afnemer", r"factuur\s*aan", r"facturar\s*a",
        r"facturado\s*a", r"comprador", r"cessionario(?:\s*/\s*committente)?", r"committente", r"intestatario",
        r"acquirente", r"auftraggeber", r"opdrachtgever",
    ),
    "buyer_tax_id": (
        r"(?:your|customer'?s?|client'?s?|buyer'?s?)\s*(?:vat|tax)\s*(?:reg(?:istration)?\.?\s*)?(?:id|no\.?|number|#)?",
        r"(?:vat|tax)\s*(?:id|no\.?|number)?\s*(?:of\s*the\s*)?(?:customer|client|buyer)",
        r"ihre\s*(?:ust|mwst)-?\s*id(?:nr|-?\s*nr)?\.?", r"kunden-?\s*(?:ust|mwst)-?\s*id(?:nr|-?\s*nr)?\.?",
        r"(?:ust|mwst)-?\s*id(?:nr|-?\s*nr)?\.?\s*(?:des\s*)?(?:kunden|leistungsempfangers|empfangers)",
        r"(?:n[°o]\.?\s*)?(?:de\s*)?tva\s*(?:intracom(?:munautaire)?\.?\s*)?(?:du\s*)?client",
        r"votre\s*(?:n[°o]\.?\s*(?:de\s*)?)?tva", r"(?:uw|klant)\s*btw-?\s*(?:nummer|nr\.?|id)?",
        r"btw-?\s*(?:nummer|nr\.?|id)?\s*(?:van\s*de\s*)?(?:klant|afnemer)",
        r"(?:nif|cif|nif/cif)\s*(?:del\s*)?(?:cliente|comprador|destinatario)", r"su\s*(?:nif|cif)",
        r"(?:p\.?\s*iva|partita\s*iva)\s*(?:del\s*)?(?:cliente|committente|cessionario)", r"(?:vs\.?|vostra)\s*(?:p\.?\s*iva|partita\s*iva)",
    ),
    "buyer_iban": (
        r"(?:your|customer'?s?|client'?s?|buyer'?s?)\s*iban", r"ihre\s*iban", r"iban\s*(?:des\s*)?kunden", r"kunden-?\s*iban",
        r"(?:votre\s*)?iban\s*(?:du\s*)?client", r"votre\s*iban", r"uw\s*iban", r"iban\s*(?:van\s*de\s*)?klant",
        r"su\s*iban", r"iban\s*(?:del\s*)?cliente", r"(?:vs\.?|vostro)\s*iban",
    ),
}  # fmt: skip

CREDIT_WORDS_EXTRA = (
    r"creditfactuur|kreditnota|kreditfaktura|nota\s*de\s*credito|faktura\s*korygujaca|stornorechnung"
    r"|credit\s*invoice"
)
"""Titles of credit notes in the added languages (and ones the core list lacked)."""

PARTY_CAPTIONS: dict[str, tuple[str, ...]] = {
    "seller": (
        r"seller", r"supplier", r"vendor", r"from", r"sold\s*by", r"remit(?:\s*payment)?\s*to", r"issued\s*by",
        r"billed\s*by", r"service\s*provider", r"invoice\s*from", r"payee", r"lieferant", r"verkaufer",
        r"rechnungssteller", r"leistungserbringer", r"absender", r"auftragnehmer", r"fournisseur", r"vendeur",
        r"emetteur", r"prestataire", r"expediteur", r"leverancier", r"verkoper", r"afzender", r"dienstverlener",
        r"opdrachtnemer", r"proveedor", r"emisor", r"vendedor", r"prestador", r"expedidor", r"emitido\s*por",
        r"cedente(?:\s*/\s*prestatore)?", r"prestatore", r"fornitore", r"mittente", r"venditore", r"emittente",
        r"(?:seller|supplier|vendor)\s*(?:details|information)", r"datos\s*del\s*(?:emisor|proveedor|vendedor)",
        r"dati\s*(?:del\s*)?(?:fornitore|cedente)", r"lieferantendaten",
    ),
    "buyer": (
        r"bill(?:ed)?\s*to", r"invoice\s*to", r"invoiced\s*to", r"ship\s*to", r"deliver\s*to", r"customer", r"client",
        r"buyer", r"purchaser", r"sold\s*to", r"kunde", r"rechnungsempfanger", r"leistungsempfanger", r"kaufer",
        r"auftraggeber", r"rechnung\s*an", r"destinataire", r"acheteur", r"facture\s*a", r"factur[ee]\s*a",
        r"klant", r"afnemer", r"factuur\s*aan", r"opdrachtgever", r"cliente", r"destinatario", r"facturar\s*a",
        r"facturado\s*a", r"comprador", r"cessionario(?:\s*/\s*committente)?", r"committente", r"spett\.?\s*le",
        r"intestatario", r"acquirente", r"to", r"recipient", r"prepared\s*for", r"empfanger", r"para",
        r"(?:customer|client|buyer)\s*(?:details|information)", r"datos\s*del\s*(?:cliente|comprador|destinatario)",
        r"dati\s*(?:del\s*)?(?:cliente|committente)", r"kundendaten", r"klantgegevens",
        r"coordonnees\s*(?:du\s*)?client", r"donnees\s*(?:du\s*)?client", r"billing\s*address",
        r"invoice\s*address", r"shipping\s*address", r"delivery\s*address",
    ),
}  # fmt: skip
"""Captions over a party's block: the seller's (issuer) and the buyer's (recipient). A caption is a
phrase that is only the caption (``Cedente/prestatore (fornitore)``, ``EMISOR``, ``Bill to:``) or the
caption then a colon and the party's name (``Sold by: ACME Ltd``)."""

NAME_LABELS = (
    r"denominazione", r"ragione\s*sociale", r"razon\s*social", r"raison\s*sociale", r"denomination(?:\s*sociale)?",
    r"company(?:\s*name)?", r"business\s*name", r"legal\s*name", r"name", r"firma", r"firmenname", r"nom",
    r"naam", r"bedrijfsnaam", r"handelsnaam", r"nombre", r"empresa", r"societe", r"societa",
)  # fmt: skip
"""Labels printed before a party's name in a key/value block (``Denominazione: ACME S.r.l.``)."""

ATTENTION_WORDS = (
    r"t\.?\s*a\.?\s*v\.?", r"z\.?\s*hd\.?(?:\s*v\.?)?", r"zu\s*handen", r"attn\.?", r"attention", r"a\s*l'attention",
    r"c/o", r"a/a", r"att\.?", r"alla\s*c\.?\s*a\.?", r"all'attenzione", r"a\s*la\s*atencion", r"ter\s*attentie",
)  # fmt: skip
"""Words opening an "attention of" line: the block they sit in is the recipient's address."""

PAYEE_WORDS = (
    r"t\.?\s*n\.?\s*v\.?", r"ten\s*name\s*van", r"payable\s*to", r"account\s*(?:name|holder)", r"beneficiary",
    r"kontoinhaber(?:in)?", r"zahlungsempfanger", r"begunstigter", r"titulaire(?:\s*du\s*compte)?",
    r"a\s*l'ordre\s*de", r"au\s*nom\s*de", r"a\s*favor\s*de", r"titular(?:\s*de\s*la\s*cuenta)?",
    r"beneficiario", r"intestato\s*a", r"rekeninghouder", r"begunstigde", r"cheques?\s*payable\s*to",
)  # fmt: skip
"""Words before the name an account is held in: the seller's name (``t.n.v. ACME B.V.``)."""

REGISTER_WORDS = (
    r"kvk", r"kamer\s*van\s*koophandel", r"hrb", r"hra", r"handelsregister", r"amtsgericht", r"registergericht",
    r"rcs", r"siret", r"siren", r"r\.?\s*c\.?\s*s\.?", r"rpr", r"rpm", r"kbo", r"ondernemingsnummer", r"rea",
    r"registro\s*mercantil", r"registro\s*(?:delle\s*)?imprese", r"cap\.?\s*soc(?:iale|\.)?", r"capital\s*social",
    r"capitale\s*sociale", r"company\s*(?:reg(?:istration|\.)?\s*)?(?:no\.?|number)", r"registered\s*in",
    r"companies\s*house", r"crn", r"firmenbuch(?:nummer)?", r"fn",
)  # fmt: skip
"""Company-register words: a block printing them is a company's letterhead or footer — the seller's."""

DEBIT_WORDS = (
    r"(?:your|ihre[mn]?|votre|uw|su|vostro|vs\.?)\s*(?:bank\s*)?(?:account|konto|bankkonto|compte|rekening|cuenta|conto)",
    r"lastschrift", r"sepa-?\s*lastschrift", r"direct\s*debit", r"debited", r"prelevement", r"preleve",
    r"incasso", r"domiciliering", r"automatische\s*afschrijving", r"adeudo", r"domiciliacion", r"addebito",
    r"addebitato", r"abgebucht", r"eingezogen",
)  # fmt: skip
"""Direct-debit wording: an IBAN printed after it in the same sentence is the buyer's account."""

BLOCK_HEADINGS = (
    r"bank(?:\s*(?:details|account|information))?", r"bankverbindung(?:en)?", r"bankgegevens", r"bankrekening",
    r"coordonnees\s*bancaires", r"datos\s*bancarios", r"coordinate\s*bancarie", r"dati\s*bancari",
    r"payment\s*(?:details|information|instructions)", r"zahlungsinformationen", r"zahlungsbedingungen",
    r"kontakt", r"contact(?:\s*(?:details|us))?", r"contacto", r"contatti", r"geschaftsfuhr(?:er|erin|ung)",
    r"vorstand", r"sitz(?:\s*der\s*gesellschaft)?", r"registered\s*office", r"siege\s*social", r"sede\s*legale",
    r"domicilio\s*social", r"directors?", r"bestuur(?:der)?", r"gerant", r"amministratore", r"administrador",
    r"address", r"adresse", r"anschrift", r"adres", r"direccion", r"indirizzo",
)  # fmt: skip
"""Headings over a block of footer or letterhead details: never the seller's name."""
