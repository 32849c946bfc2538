"""Answers the agent gives in words: knowledge articles with citations, and ERP purchase-order status.

An HR or policy question is answered only with a verbatim excerpt of the article section that
answers it, cited (``KB0012 §2 Carry-over``); when no article answers with confidence the agent
escalates with what the knowledge base had. A procurement inquiry is answered from the ERP's
purchase order (status, lines received, expected delivery) -- never prices -- and a request to
*change* an order is escalated, since the agent only reads the ERP.
"""

from __future__ import annotations

import re
from datetime import date

from agents.service_desk.facts import Desk, TicketFacts
from agents.service_desk.plan import Plan
from connectors.erp.models import PurchaseOrder
from connectors.erp.protocol import PayablesERP
from connectors.errors import NotFoundError

MAX_ORDERS = 3


_QUESTION = re.compile(
    r"\?|\b(?:how|what|where|when|which|who|whom|why|can\s+i|do\s+i|am\s+i|is\s+there|are\s+there|"
    r"is\s+it|may\s+i|should\s+i|does|do\s+we|is\s+my|policy|entitle\w*|rules?)\b",
    re.IGNORECASE,
)
"""A knowledge article answers a question; a ticket with none of these asks for something to be
done ("parental leave request dates attached", "overtime not paid last month"): a person does it."""


def is_question(text: str) -> bool:
    return _QUESTION.search(text) is not None


def answer_hr_question(facts: TicketFacts, desk: Desk) -> Plan:
    if not is_question(facts.text):
        return facts.escalate(desk, ("not_a_question",), "HR Services handles the request")
    answer = desk.knowledge.answer(facts.text)
    facts.looked_up.append(
        "knowledge base: "
        + (f"{answer.citations[0]} ({answer.confidence:.2f})" if answer else "no confident answer")
    )
    if answer is None:
        near = [f"{a.citations[0]} ({a.confidence:.2f})" for a in desk.knowledge.candidates(facts.text)]
        return facts.escalate(
            desk,
            ("no_kb_answer",),
            "answer the question and consider a knowledge article for it",
            kb_candidates=near,
        )
    note = (
        f"{answer.excerpt}\n\nSource: {'; '.join(answer.citations)} ({answer.title}). "
        "If this does not answer your question, reply to re-open the ticket and HR Services will help."
    )
    return facts.resolve(desk, note, citations=list(answer.citations), kb_confidence=answer.confidence)


def answer_procurement(facts: TicketFacts, desk: Desk) -> Plan:
    if facts.understanding.signals.change_request:
        return facts.escalate(desk, ("po_change_request",), "Procurement agrees the change with the supplier")
    numbers = facts.entities.po_numbers
    if not numbers and not is_question(facts.text):
        return facts.escalate(desk, ("not_a_question",), "Procurement handles the request")
    if not numbers:
        answer = desk.knowledge.answer(facts.text)
        facts.looked_up.append(
            "knowledge base: "
            + (f"{answer.citations[0]} ({answer.confidence:.2f})" if answer else "no confident answer")
        )
        if answer is None:
            return facts.escalate(desk, ("no_po_number",), "ask the caller for the purchase order number")
        note = f"{answer.excerpt}\n\nSource: {'; '.join(answer.citations)} ({answer.title})."
        return facts.resolve(desk, note, citations=list(answer.citations), kb_confidence=answer.confidence)
    erp = desk.systems.erp
    if erp is None:
        return facts.escalate(desk, ("po_not_found",), "no ERP is connected: look the order up by hand")
    lines: list[str] = []
    for number in numbers[:MAX_ORDERS]:
        order = _find_order(erp, number)
        facts.looked_up.append(
            f"erp: purchase order {number} -> {order.status.value if order else 'not found'}"
        )
        if order is None:
            return facts.escalate(desk, ("po_not_found",), f"check the number {number} with the caller")
        lines.append(_describe(erp, order))
    note = "\n".join(lines) + "\n\nSource: the ERP purchase order records at the time of this reply."
    return facts.resolve(desk, note, orders=list(numbers[:MAX_ORDERS]))


def _find_order(erp: PayablesERP, number: str) -> PurchaseOrder | None:
    for candidate in dict.fromkeys((number, f"PO{number}", number.lstrip("0"))):
        try:
            return erp.get_purchase_order(candidate)
        except NotFoundError:
            continue
    return None


def _describe(erp: PayablesERP, order: PurchaseOrder) -> str:
    try:
        vendor = erp.get_vendor(order.vendor_id).name
    except NotFoundError:
        vendor = order.vendor_id
    receipts = erp.list_goods_receipts(order.id)
    received = {r.po_line for r in receipts}
    open_dates = sorted(d for line in order.lines if line.line not in received and (d := line.delivery_date))
    ordered = f", ordered {order.order_date.isoformat()}" if order.order_date else ""
    text = (
        f"Purchase order {order.id} with {vendor}{ordered}: {order.status.value}; "
        f"{len(received & {line.line for line in order.lines})} of {len(order.lines)} lines received"
    )
    if open_dates:
        text += f"; next expected delivery {_day(open_dates[0])}"
    return text + "."


def _day(value: date) -> str:
    return value.isoformat()
