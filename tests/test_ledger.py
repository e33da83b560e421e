"""The fund's ledger (issue 11, its core): balanced append-only entries, commitments made by approvals,
payments never above what is committed, returns never above what was paid, idempotency keys,
reversals, closed years; and, on PostgreSQL, 20 threads posting at once that still reconcile."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection

from jfs.cases.errors import CaseError, Conflict, NotPermitted
from jfs.core import clock
from jfs.finance import accounts as acc
from jfs.finance import models as m
from jfs.finance import selectors
from jfs.finance import services as ledger
from tests.decisions_support import decide
from tests.test_concurrency import run_together

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _the_ledger_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    """The ledger's core on its own: the payment checks the apps above register (a lawyer's fee only to
    the engaged lawyer, bail money only through its record) are tested in those apps' tests."""
    monkeypatch.setattr(ledger, "PAYMENT_CHECKS", [])


def _partly_approved(make_request: Any, users: dict[str, Any]) -> Any:
    req = make_request()  # lawyer 15,000 + court fee 2,000 asked
    decide(req, users, "partially_approved", ["A01", "P01"], items={"lawyer": "10000", "court_fee": "2000"})
    return req


def test_an_approval_commits_each_item_in_its_own_transaction(make_request: Any, users: dict[str, Any]) -> None:
    req = _partly_approved(make_request, users)
    got = {c.item_key: c.amount for c in selectors.commitments_of(req.pk)}
    assert got == {"lawyer": Decimal("10000.00"), "court_fee": Decimal("2000.00")}
    budget = selectors.budget(req.fiscal_year, req.office_id, "LIT")
    assert budget["committed"] == Decimal("12000.00") and budget["available"] == Decimal("-12000.00")
    assert selectors.unbalanced_entries() == []
    rejected = make_request()
    decide(rejected, users, "rejected", ["R01"])
    assert selectors.commitments_of(rejected.pk) == []


def test_never_more_paid_than_committed_and_never_more_back_than_paid(make_request: Any,
                                                                      users: dict[str, Any]) -> None:
    req = _partly_approved(make_request, users)
    finance, today = users["finance.cm"], clock.today()
    pay = {"actor": finance, "request_id": req.pk, "item_key": "lawyer", "on": today, "payee": "นายทนาย ความดี",
           "method": "transfer", "reference": "TRF-1"}
    ledger.disburse(key="pay-1", amount="6000", **pay)
    with pytest.raises(CaseError) as refused:
        ledger.disburse(key="pay-2", amount="4000.01", **pay)
    assert "4,000.00" in refused.value.en and refused.value.errors[0]["field"] == "amount"
    ledger.disburse(key="pay-2", amount="4000", **pay)
    with pytest.raises(CaseError, match="Nothing is approved"):
        ledger.disburse(key="pay-3", amount="1", **{**pay, "item_key": "expert"})
    back = {"actor": finance, "request_id": req.pk, "item_key": "lawyer", "on": today, "reference": "RC-1"}
    with pytest.raises(CaseError, match="10,000.00 baht paid"):
        ledger.receive_return(key="back-1", amount="10000.01", **back)
    ledger.receive_return(key="back-1", amount="1500", **back)
    assert ledger.paid_for(req.pk, "lawyer") == Decimal("8500.00")
    ledger.disburse(key="pay-4", amount="1500", **pay)  # what came back may be paid again, not more
    with pytest.raises(CaseError):
        ledger.disburse(key="pay-5", amount="0.01", **pay)
    budget = selectors.budget(req.fiscal_year, req.office_id, "LIT")
    assert budget == {"allotted": Decimal(0), "available": Decimal("-12000.00"),
                      "committed": Decimal("2000.00"), "spent": Decimal("10000.00")}
    assert selectors.balance(acc.CASH) == Decimal("-10000.00")
    assert selectors.unbalanced_entries() == []
    assert sum(selectors.trial_balance().values()) == 0


def test_the_same_key_posts_once(make_request: Any, users: dict[str, Any]) -> None:
    req = _partly_approved(make_request, users)
    pay = {"actor": users["finance.cm"], "request_id": req.pk, "item_key": "court_fee", "on": clock.today(),
           "payee": "ศาลจังหวัดเชียงใหม่", "method": "cheque"}
    first = ledger.disburse(key="court-fee-1", amount="2000", **pay)
    again = ledger.disburse(key="court-fee-1", amount="2000", **pay)  # a retry after a lost answer
    assert again.pk == first.pk and m.Entry.objects.filter(kind=m.DISBURSEMENT).count() == 1
    with pytest.raises(Conflict):
        ledger.disburse(key="court-fee-1", amount="1500", **pay)
    assert m.Line.objects.filter(entry__kind=m.DISBURSEMENT).count() == 4


def test_a_correction_is_a_reversing_entry_and_a_closed_year_takes_nothing(make_request: Any,
                                                                        users: dict[str, Any]) -> None:
    req = _partly_approved(make_request, users)
    finance = users["finance.cm"]
    wrong = ledger.disburse(actor=finance, key="p", request_id=req.pk, item_key="lawyer", amount="9000",
                            on=clock.today(), payee="x", method="cash")
    with pytest.raises(CaseError, match="why"):
        ledger.reverse(actor=finance, key="r", entry_id=wrong.pk, on=clock.today(), memo=" ")
    fix = ledger.reverse(actor=finance, key="r", entry_id=wrong.pk, on=clock.today(), memo="จำนวนผิด")
    assert fix.reverses_id == wrong.pk and ledger.paid_for(req.pk, "lawyer") == 0
    with pytest.raises(CaseError, match="reversed already"):
        ledger.reverse(actor=finance, key="r2", entry_id=wrong.pk, on=clock.today(), memo="อีกครั้ง")
    with pytest.raises(PermissionError):
        wrong.memo = "edited"
        wrong.save()
    ledger.close_year(actor=users["finance.central"], year=2560)
    with pytest.raises(CaseError, match="Fiscal year 2560 is closed"):
        ledger.allot(actor=finance, key="old", year=2560, office=req.office, service="LIT", amount="1",
                     on=date(2017, 1, 5))


def test_only_finance_officers_post(make_request: Any, users: dict[str, Any]) -> None:
    req = _partly_approved(make_request, users)
    with pytest.raises(NotPermitted):
        ledger.disburse(actor=users["officer.cm"], key="x", request_id=req.pk, item_key="lawyer", amount="1",
                        on=clock.today(), payee="x", method="cash")
    with pytest.raises(NotPermitted):  # the office head approves nothing here and pays nothing either
        ledger.disburse(actor=users["head.cm"], key="y", request_id=req.pk, item_key="lawyer", amount="1",
                        on=clock.today(), payee="x", method="cash")
    assert not m.Entry.objects.filter(kind=m.DISBURSEMENT).exists()


def test_budget_allotment_and_transfer(offices: Any, users: dict[str, Any]) -> None:
    central = users["finance.central"]
    on = clock.today()
    from jfslib.thaidate import fiscal_year

    fy = fiscal_year(on)
    ledger.allot(actor=central, key="a1", year=fy, office=offices["50"], service="BAIL", amount="1000000", on=on)
    ledger.transfer(actor=central, key="t1", on=on, source=(offices["50"], "BAIL"), target=(offices["40"], "BAIL"),
                    amount="250000")
    assert selectors.budget(fy, offices["50"].pk, "BAIL")["available"] == Decimal("750000.00")
    assert selectors.budget(fy, offices["40"].pk, "BAIL") == {
        "allotted": Decimal("250000.00"), "available": Decimal("250000.00"), "committed": 0, "spent": 0}
    assert selectors.unbalanced_entries() == []


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are PostgreSQL's; SQLite serialises writers")
def test_twenty_threads_posting_at_once_reconcile(make_request: Any, users: dict[str, Any], offices: Any) -> None:
    reqs = [_partly_approved(make_request, users) for _ in range(3)]
    finance = users["finance.cm"]
    on = clock.today()

    def pay(n: int) -> None:
        req = reqs[n % 3]
        # each thread pays 1,500 twice for the same lawyer item (10,000 committed): at most 6 of the 7
        # threads per request can be paid in full; one of each thread's two calls is a replay of its key
        for _ in range(2):
            try:
                ledger.disburse(actor=finance, key=f"thread-{n}", request_id=req.pk, item_key="lawyer",
                                amount="1500", on=on, payee=f"ทนาย {n}", method="transfer")
            except CaseError:
                pass

    errors = run_together(*[lambda n=n: pay(n) for n in range(20)])
    assert errors == []
    for req in reqs:
        paid = ledger.paid_for(req.pk, "lawyer")
        assert paid <= Decimal("10000.00") and paid == Decimal("9000.00"), paid  # 6 payments of 1,500 fit
        assert m.Entry.objects.filter(request=req, kind=m.DISBURSEMENT).count() == 6
    assert m.Entry.objects.filter(kind=m.DISBURSEMENT).values("key").distinct().count() == 18
    assert selectors.unbalanced_entries() == []
    assert sum(selectors.trial_balance().values()) == 0
    assert selectors.balance(acc.CASH) == Decimal("-27000.00")


def test_the_export_opens_in_a_spreadsheet_library_and_sums_to_the_ledger(make_request: Any,
                                                                         users: dict[str, Any]) -> None:
    import csv
    import io

    from openpyxl import load_workbook

    from jfs.finance import exports

    req = _partly_approved(make_request, users)
    finance, today = users["finance.cm"], clock.today()
    ledger.disburse(actor=finance, key="p1", request_id=req.pk, item_key="lawyer", amount="7000", on=today,
                    payee="นายทนาย ความดี", method="transfer", reference="TRF-9")
    ledger.receive_return(actor=finance, key="b1", request_id=req.pk, item_key="lawyer", amount="1200.50", on=today,
                          reference="RC-9")
    rows = exports.ledger_rows(req.fiscal_year, req.office_id)
    sheet = load_workbook(io.BytesIO(exports.to_xlsx(rows))).active
    table = list(sheet.iter_rows(values_only=True))
    assert table[0][4] == "รหัสบัญชี" and len(table) == 1 + m.Line.objects.count()
    debits = sum(Decimal(str(r[6])) for r in table[1:])
    credits = sum(Decimal(str(r[7])) for r in table[1:])
    assert debits == credits == sum(ln.amount for ln in m.Line.objects.filter(amount__gt=0))
    cash = sum(Decimal(str(r[6])) - Decimal(str(r[7])) for r in table[1:] if r[4] == acc.CASH)
    assert cash == selectors.balance(acc.CASH) == Decimal("-5799.50")
    assert {r[10] for r in table[1:]} == {req.number} and "นายทนาย ความดี" in {r[12] for r in table[1:]}
    text = exports.to_csv(rows).decode("utf-8")
    assert text.startswith("\ufeff") and len(list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))) == len(table)
    statement = {r.account: r for r in exports.monthly_statement(req.office_id, today.year, today.month)}
    assert statement[acc.CASH].debits == Decimal("1200.50") and statement[acc.CASH].credits == Decimal("7000.00")
    assert statement[acc.CASH].closing == Decimal("-5799.50") and statement[acc.CASH].opening == 0
    assert sum(r.closing for r in statement.values()) == 0
