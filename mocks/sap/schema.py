"""The slice of the S/4HANA OData services the SAP mock serves, and their `$metadata` EDMX.

One declaration per entity set drives everything: the EDMX that `pyodata` builds its model from,
the wire encoding of each property (`Edm.Decimal` as a string, `Edm.DateTime` as ``/Date(ms)/``),
key predicates and navigation (`$expand`, deep insert). Property names follow the released APIs
(API_PURCHASEORDER_PROCESS_SRV, API_MATERIAL_DOCUMENT_SRV, API_SUPPLIERINVOICE_PROCESS_SRV,
API_BUSINESS_PARTNER), trimmed to the fields opspack reads. `YY1_SpendCategory_PDI` is a key-user
custom field on the PO item (the YY1_ prefix and _PDI suffix are what S/4 extensibility gives a
purchasing document item field). `ZOPSPACK_PAYMENT_SRV` is a customer (Z) Gateway service: S/4HANA
releases no OData API for creating payment proposal items, so installations expose F110 proposals
through their own service; this is the shape opspack expects of it. Order to cash: API_SALES_ORDER_SRV,
API_OUTBOUND_DELIVERY_SRV;v=0002 (the version is part of the service name in the URL) and
API_CREDIT_MEMO_REQUEST_SRV. ``NetAmount`` on a credit memo request item is read-only in S/4
(pricing computes it); the mock accepts it on create instead of running pricing conditions.
Customer billing (API_BILLING_DOCUMENT_SRV and the ZOPSPACK_SUBSCRIPTION_SRV customer service):
`mocks.sap.schema_billing`. The EDM building blocks and the EDMX renderer: `mocks.sap.edm`.
"""

from __future__ import annotations

from mocks.sap.edm import B, ComplexType, D, EntitySet, FunctionImport, Navigation, S, Service, T
from mocks.sap.edm import entity_set_of as _set
from mocks.sap.schema_billing import BILLING_DOCUMENT, SUBSCRIPTION
from mocks.sap.schema_change_documents import CHANGE_DOCUMENT

RELEASE_RESULT = ComplexType("ReleaseInvoiceExportParameters", {"Success": B})
"""What S/4's ``Release`` answers (the published EDMX): a flag, not the invoice -- read it again."""

__all__ = ["SERVICES", "EntitySet", "Navigation", "Service"]


PURCHASE_ORDER = Service(
    "API_PURCHASEORDER_PROCESS_SRV",
    {
        "A_PurchaseOrder": _set(
            "A_PurchaseOrder",
            ("PurchaseOrder",),
            {
                "CompanyCode": S,
                "PurchaseOrderType": S,
                "Supplier": S,
                "PurchasingOrganization": S,
                "PurchasingGroup": S,
                "DocumentCurrency": S,
                "PurchaseOrderDate": T,
                "CreationDate": T,
                "PurchasingProcessingStatus": S,
            },
            to_PurchaseOrderItem=Navigation(
                "A_PurchaseOrderItem", True, (("PurchaseOrder", "PurchaseOrder"),)
            ),
        ),
        "A_PurchaseOrderItem": _set(
            "A_PurchaseOrderItem",
            ("PurchaseOrder", "PurchaseOrderItem"),
            {
                "PurchaseOrderItemText": S,
                "Material": S,
                "MaterialGroup": S,
                "Plant": S,
                "OrderQuantity": D,
                "PurchaseOrderQuantityUnit": S,
                "NetPriceAmount": D,
                "NetPriceQuantity": D,
                "DocumentCurrency": S,
                "IsCompletelyDelivered": B,
                "IsFinallyInvoiced": B,
                "YY1_SpendCategory_PDI": S,
            },
            to_ScheduleLine=Navigation(
                "A_PurchaseOrderScheduleLine",
                True,
                (("PurchasingDocument", "PurchaseOrder"), ("PurchasingDocumentItem", "PurchaseOrderItem")),
            ),
        ),
        "A_PurchaseOrderScheduleLine": _set(
            "A_PurchaseOrderScheduleLine",
            ("PurchasingDocument", "PurchasingDocumentItem", "ScheduleLine"),
            {"ScheduleLineDeliveryDate": T, "ScheduleLineOrderQuantity": D, "PurchaseOrderQuantityUnit": S},
        ),
    },
)

MATERIAL_DOCUMENT = Service(
    "API_MATERIAL_DOCUMENT_SRV",
    {
        "A_MaterialDocumentHeader": _set(
            "A_MaterialDocumentHeader",
            ("MaterialDocumentYear", "MaterialDocument"),
            {"DocumentDate": T, "PostingDate": T, "GoodsMovementCode": S, "ReferenceDocument": S},
            to_MaterialDocumentItem=Navigation(
                "A_MaterialDocumentItem",
                True,
                (("MaterialDocumentYear", "MaterialDocumentYear"), ("MaterialDocument", "MaterialDocument")),
            ),
        ),
        "A_MaterialDocumentItem": _set(
            "A_MaterialDocumentItem",
            ("MaterialDocumentYear", "MaterialDocument", "MaterialDocumentItem"),
            {
                "GoodsMovementType": S,
                "PurchaseOrder": S,
                "PurchaseOrderItem": S,
                "Plant": S,
                "StorageLocation": S,
                "QuantityInEntryUnit": D,
                "EntryUnit": S,
            },
            to_MaterialDocumentHeader=Navigation(
                "A_MaterialDocumentHeader",
                False,
                (("MaterialDocumentYear", "MaterialDocumentYear"), ("MaterialDocument", "MaterialDocument")),
            ),
        ),
    },
)

SUPPLIER_INVOICE = Service(
    "API_SUPPLIERINVOICE_PROCESS_SRV",
    {
        "A_SupplierInvoice": _set(
            "A_SupplierInvoice",
            ("SupplierInvoice", "FiscalYear"),
            {
                "CompanyCode": S,
                "DocumentDate": T,
                "PostingDate": T,
                "SupplierInvoiceIDByInvcgParty": S,
                "InvoicingParty": S,
                "DocumentCurrency": S,
                "InvoiceGrossAmount": D,
                "CreationDate": T,
                "PaymentBlockingReason": S,
                "DocumentHeaderText": S,
                "SupplierInvoiceStatus": S,
                "TaxIsCalculatedAutomatically": B,
                "SupplierInvoiceIsCreditMemo": S,
                "InvoiceReference": S,
                "InvoiceReferenceFiscalYear": S,
                "DueCalculationBaseDate": T,
                "NetPaymentDays": D,
            },
            to_SuplrInvcItemPurOrdRef=Navigation(
                "A_SuplrInvcItemPurOrdRef",
                True,
                (("SupplierInvoice", "SupplierInvoice"), ("FiscalYear", "FiscalYear")),
            ),
            to_SupplierInvoiceTax=Navigation(
                "A_SupplierInvoiceTax",
                True,
                (("SupplierInvoice", "SupplierInvoice"), ("FiscalYear", "FiscalYear")),
            ),
        ),
        "A_SuplrInvcItemPurOrdRef": _set(
            "A_SuplrInvcItemPurOrdRef",
            ("SupplierInvoice", "FiscalYear", "SupplierInvoiceItem"),
            {
                "PurchaseOrder": S,
                "PurchaseOrderItem": S,
                "ReferenceDocument": S,
                "ReferenceDocumentFiscalYear": S,
                "ReferenceDocumentItem": S,
                "DocumentCurrency": S,
                "SupplierInvoiceItemAmount": D,
                "PurchaseOrderQuantityUnit": S,
                "QuantityInPurchaseOrderUnit": D,
                "SupplierInvoiceItemText": S,
            },
        ),
        "A_SupplierInvoiceTax": _set(
            "A_SupplierInvoiceTax",
            ("SupplierInvoice", "FiscalYear", "TaxCode", "SupplierInvoiceTaxCounter"),
            {"DocumentCurrency": S, "TaxAmount": D},
        ),
    },
    {
        "Release": FunctionImport(
            "Release", "POST", ("SupplierInvoice", "FiscalYear"), return_complex=RELEASE_RESULT
        )
    },
)

BUSINESS_PARTNER = Service(
    "API_BUSINESS_PARTNER",
    {
        "A_BusinessPartner": _set(
            "A_BusinessPartner",
            ("BusinessPartner",),
            {
                "BusinessPartnerFullName": S,
                "BusinessPartnerCategory": S,
                "OrganizationBPName1": S,
                "Supplier": S,
                "Customer": S,
            },
            to_Supplier=Navigation("A_Supplier", False, (("Supplier", "BusinessPartner"),)),
            to_BusinessPartnerAddress=Navigation(
                "A_BusinessPartnerAddress", True, (("BusinessPartner", "BusinessPartner"),)
            ),
            to_BusinessPartnerBank=Navigation(
                "A_BusinessPartnerBank", True, (("BusinessPartner", "BusinessPartner"),)
            ),
        ),
        "A_Supplier": _set(
            "A_Supplier",
            ("Supplier",),
            {
                "SupplierName": S,
                "SupplierFullName": S,
                "VATRegistration": S,
                "PostingIsBlocked": B,
                "PaymentIsBlockedForSupplier": B,
                "PurchasingIsBlocked": B,
                "CreationDate": T,
            },
        ),
        "A_BusinessPartnerAddress": _set(
            "A_BusinessPartnerAddress",
            ("BusinessPartner", "AddressID"),
            {"Country": S, "CityName": S, "StreetName": S, "PostalCode": S},
        ),
        "A_BusinessPartnerBank": _set(
            "A_BusinessPartnerBank",
            ("BusinessPartner", "BankIdentification"),
            {
                "BankCountryKey": S,
                "BankNumber": S,
                "BankAccount": S,
                "IBAN": S,
                "SWIFTCode": S,
                "BankAccountHolderName": S,
            },
        ),
    },
)

PAYMENT = Service(
    "ZOPSPACK_PAYMENT_SRV",
    {
        "PaymentProposalSet": _set(
            "PaymentProposalSet",
            ("PaymentProposal",),
            {
                "SupplierInvoice": S,
                "FiscalYear": S,
                "Supplier": S,
                "PaymentAmount": D,
                "PaymentCurrency": S,
                "PaymentDate": T,
                "PaymentMethod": S,
            },
        ),
    },
)

SALES_ORDER = Service(
    "API_SALES_ORDER_SRV",
    {
        "A_SalesOrder": _set(
            "A_SalesOrder",
            ("SalesOrder",),
            {
                "SalesOrderType": S,
                "SalesOrganization": S,
                "SoldToParty": S,
                "SalesOrderDate": T,
                "PurchaseOrderByCustomer": S,
                "TransactionCurrency": S,
                "TotalNetAmount": D,
                "OverallTotalDeliveryStatus": S,
                "OverallSDDocumentRejectionSts": S,
            },
            to_Item=Navigation("A_SalesOrderItem", True, (("SalesOrder", "SalesOrder"),)),
        ),
        "A_SalesOrderItem": _set(
            "A_SalesOrderItem",
            ("SalesOrder", "SalesOrderItem"),
            {
                "Material": S,
                "SalesOrderItemText": S,
                "RequestedQuantity": D,
                "RequestedQuantityUnit": S,
                "NetAmount": D,
                "TransactionCurrency": S,
            },
        ),
    },
)

OUTBOUND_DELIVERY = Service(
    "API_OUTBOUND_DELIVERY_SRV;v=0002",
    {
        "A_OutbDeliveryHeader": _set(
            "A_OutbDeliveryHeader",
            ("DeliveryDocument",),
            {
                "SoldToParty": S,
                "DeliveryDate": T,
                "ActualGoodsMovementDate": T,
                "ProofOfDeliveryDate": T,
                "OverallGoodsMovementStatus": S,
                "OverallProofOfDeliveryStatus": S,
                "MeansOfTransport": S,
                "BillOfLading": S,
            },
            to_DeliveryDocumentItem=Navigation(
                "A_OutbDeliveryItem", True, (("DeliveryDocument", "DeliveryDocument"),)
            ),
        ),
        "A_OutbDeliveryItem": _set(
            "A_OutbDeliveryItem",
            ("DeliveryDocument", "DeliveryDocumentItem"),
            {
                "ReferenceSDDocument": S,
                "ReferenceSDDocumentItem": S,
                "Material": S,
                "ActualDeliveryQuantity": D,
                "DeliveryQuantityUnit": S,
            },
        ),
    },
)

CREDIT_MEMO_REQUEST = Service(
    "API_CREDIT_MEMO_REQUEST_SRV",
    {
        "A_CreditMemoRequest": _set(
            "A_CreditMemoRequest",
            ("CreditMemoRequest",),
            {
                "CreditMemoRequestType": S,
                "SalesOrganization": S,
                "DistributionChannel": S,
                "OrganizationDivision": S,
                "SoldToParty": S,
                "CreditMemoRequestDate": T,
                "PurchaseOrderByCustomer": S,
                "ReferenceSDDocument": S,
                "SDDocumentReason": S,
                "TransactionCurrency": S,
                "TotalNetAmount": D,
            },
            to_Item=Navigation(
                "A_CreditMemoRequestItem", True, (("CreditMemoRequest", "CreditMemoRequest"),)
            ),
        ),
        "A_CreditMemoRequestItem": _set(
            "A_CreditMemoRequestItem",
            ("CreditMemoRequest", "CreditMemoRequestItem"),
            {
                "Material": S,
                "CreditMemoRequestItemText": S,
                "RequestedQuantity": D,
                "RequestedQuantityUnit": S,
                "NetAmount": D,
            },
        ),
    },
)

SERVICES: dict[str, Service] = {
    s.name: s
    for s in (
        PURCHASE_ORDER,
        MATERIAL_DOCUMENT,
        SUPPLIER_INVOICE,
        BUSINESS_PARTNER,
        PAYMENT,
        SALES_ORDER,
        OUTBOUND_DELIVERY,
        CREDIT_MEMO_REQUEST,
        BILLING_DOCUMENT,
        SUBSCRIPTION,
        CHANGE_DOCUMENT,
    )
}
