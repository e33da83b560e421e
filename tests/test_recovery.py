"""Recovery from absconders (issue 11, item 2): the forfeiture or fine makes the debt; tracing, the
civil suit, instalments and write-offs follow it; the bank's payment file is reconciled (unmatched,
differing and duplicated rows quarantined, nothing posted twice); the debt settled closes the bail
record; the absconder figures come from these records."""

from __future__ import annotations

import threading
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection

from jfs.bail import models as bm
from jfs.bail import services as bail
from jfs.cases.errors import CaseError, Conflict, NotPermitted
from jfs.core import clock
from jfs.finance import accounts as acc
from jfs.finance import selectors as fsel
from jfs.finance import services as ledger
from jfs.recovery import models as m
from jfs.recovery import rules, selectors, services
from jfslib import promptpay
from tests.bail_support import opened

pytestmark = pytest.mark.django_db


def deposited(make_request: Any, users: dict[str, Any], amount: str = "50000") -> bm.BailRecord:
    rec = opened(make_request, users, amount, amount)
    bail.deposit(users["finance.cm"], rec.pk, amount=amount, on=clock.today(), receipt_number="ใบรับ 1/2569",
                 key=f"dep-{rec.pk}")
    return bm.BailRecord.objects.get(pk=rec.pk)


def absconded(make_request: Any, users: dict[str, Any], amount: str = "50000",
              forfeited: str = "50000") -> m.Abscondence:
    rec = deposited(make_request, users, amount)
    today = clock.today()
    return services.record_abscondence(actor=users["finance.cm"], record_id=rec.pk, key=f"abs-{rec.pk}",
                                       absconded_on=today - timedelta(days=3), order=m.FORFEITURE,
                                       court_name="ศาลจังหวัดเชียงใหม่", order_reference="คำสั่งที่ 12/2569",
                                       ordered_on=today, amount=forfeited)


def csv_file(*rows: str) -> bytes:
    return ("\ufefftransaction_id,paid_at,ref1,ref2,amount\n" + "\n".join(rows) + "\n").encode("utf-8")


def test_forfeiture_makes_the_debt_and_never_exceeds_the_deposit(make_request: Any, users: dict[str, Any]) -> None:
    rec = deposited(make_request, users, "50000")
    args = {"actor": users["finance.cm"], "record_id": rec.pk, "absconded_on": clock.today(), "order": m.FORFEITURE,
            "court_name": "ศาลจังหวัดเชียงใหม่", "order_reference": "12/2569", "ordered_on": clock.today()}
    with pytest.raises(CaseError) as refused:
        services.record_abscondence(key="a1", amount="50000.01", **args)
    assert refused.value.errors[0]["field"] == "amount" and "50,000.00" in refused.value.en
    assert not m.Abscondence.objects.exists() and bm.BailRecord.objects.get(pk=rec.pk).status == bm.DEPOSITED
    with pytest.raises(NotPermitted):  # a case officer records no money
        services.record_abscondence(key="a2", amount="100", **{**args, "actor": users["officer.cm"]})
    ab = services.record_abscondence(key="a3", amount="40000", **args)
    again = services.record_abscondence(key="a3", amount="40000", **args)  # a double submit
    assert again.pk == ab.pk and m.Abscondence.objects.count() == 1
    with pytest.raises(Conflict):
        services.record_abscondence(key="a4", amount="40000", **args)
    assert bm.BailRecord.objects.get(pk=rec.pk).status == bm.ABSCONDED
    assert ledger.receivable_for(rec.request_id) == Decimal("40000.00")
    assert ledger.deposited_for(rec.request_id) == Decimal("10000.00")
    assert fsel.unbalanced_entries() == []
    # no more bail money for an absconder: the disbursement check refuses it
    with pytest.raises(CaseError):
        bail.deposit(users["finance.cm"], rec.pk, amount="1", on=clock.today(), receipt_number="x", key="dep-again")


def test_a_fine_paid_as_surety_spends_budget_and_is_owed(make_request: Any, users: dict[str, Any]) -> None:
    rec = deposited(make_request, users, "30000")
    ab = services.record_abscondence(actor=users["finance.cm"], record_id=rec.pk, key="fine-1",
                                     absconded_on=clock.today(), order=m.FINE, court_name="ศาลจังหวัดเชียงใหม่",
                                     order_reference="ปรับ 3/2569", ordered_on=clock.today(), amount="20000")
    assert ab.entry.kind == "fine" and ledger.receivable_for(rec.request_id) == Decimal("20000.00")
    year = ab.entry.fiscal_year
    assert fsel.budget(year, rec.request.office_id, "BAIL")["spent"] == Decimal("50000.00")  # 30,000 deposit + fine
    assert fsel.balance(acc.CASH) == Decimal("-50000.00")


def test_tracing_suit_plan_instalments_and_write_off_close_the_record(make_request: Any,
                                                                       users: dict[str, Any]) -> None:
    ab = absconded(make_request, users, "50000", "50000")
    today = clock.today()
    with pytest.raises(NotPermitted):  # finance records no tracing
        services.add_tracing(actor=users["finance.cm"], abscondence_id=ab.pk, on=today, result=m.NOT_TRACED)
    t1 = services.add_tracing(actor=users["officer.cm"], abscondence_id=ab.pk, on=today, result=m.NOT_TRACED)
    t2 = services.add_tracing(actor=users["officer.central"], abscondence_id=ab.pk, on=today, result=m.TRACED,
                              note="พบที่อยู่ใหม่")
    assert (t1.level, t2.level) == (m.PROVINCIAL, m.CENTRAL)
    with pytest.raises(NotPermitted):  # another province's officer
        services.add_tracing(actor=users["officer.kk"], abscondence_id=ab.pk, on=today, result=m.TRACED)
    suit = services.file_suit(actor=users["officer.cm"], abscondence_id=ab.pk, filed_on=today,
                              court_name="ศาลจังหวัดเชียงใหม่", case_number="ผบ.77/2569", claim="50000")
    services.record_judgement(actor=users["officer.cm"], suit_id=suit.pk, judgement_on=today, amount="50000")
    with pytest.raises(CaseError, match="more than"):
        services.make_plan(actor=users["officer.cm"], abscondence_id=ab.pk, agreed_on=today, basis="คำพิพากษา",
                           instalments=services.equal_instalments(Decimal("50000.01"), 2, today))
    plan = services.make_plan(actor=users["officer.cm"], abscondence_id=ab.pk, agreed_on=today, basis="คำพิพากษา",
                              instalments=services.equal_instalments(Decimal("30000"), 3, today))
    first, second, third = plan.instalments.order_by("number")
    assert [i.amount for i in (first, second, third)] == [Decimal("10000.00")] * 3
    payload = services.promptpay_payload(first)
    got = promptpay.parse(payload)
    assert (got.biller_id, got.ref1, got.amount) == (rules.biller_id(), first.reference, Decimal("10000.00"))
    services.pay_instalment(actor=users["finance.cm"], instalment_id=first.pk, key="pay-1", paid_on=today,
                            bank_reference="KTB-1")
    services.pay_instalment(actor=users["finance.cm"], instalment_id=first.pk, key="pay-1", paid_on=today,
                            bank_reference="KTB-1")  # the same submit again posts nothing more
    with pytest.raises(Conflict):
        services.pay_instalment(actor=users["finance.cm"], instalment_id=first.pk, key="pay-1b", paid_on=today,
                                bank_reference="KTB-1")
    assert ledger.receivable_for(ab.record.request_id) == Decimal("40000.00")
    # a write-off above the authority's limit: the provincial head may write off 50,000 at most
    args: dict[str, Any] = {"abscondence_id": ab.pk, "on": today, "decision_reference": "ยธ 0001/123", "reason": "ไม่มีทรัพย์สิน"}
    with pytest.raises(NotPermitted):
        services.write_off(actor=users["officer.cm"], key="w0", tier="provincial_head", amount="100", **args)
    with pytest.raises(CaseError, match="at most 50,000.00"):
        services.write_off(actor=users["head.cm"], key="w1", tier="provincial_head", amount="50000.01", **args)
    with pytest.raises(CaseError, match="authority you hold"):  # the central tier is not a provincial head's
        services.write_off(actor=users["head.cm"], key="w2", tier="central_head", amount="100", **args)
    with pytest.raises(CaseError, match="Only 40,000.00 baht is owed"):
        services.write_off(actor=users["head.central"], key="w3", tier="central_head", amount="40000.01", **args)
    services.write_off(actor=users["head.cm"], key="w4", tier="provincial_head", amount="15000", **args)
    assert bm.BailRecord.objects.get(pk=ab.record_id).status == bm.ABSCONDED
    services.pay_instalment(actor=users["finance.cm"], instalment_id=second.pk, key="pay-2", paid_on=today,
                            bank_reference="KTB-2")
    services.write_off(actor=users["head.cm"], key="w5", tier="provincial_head", amount="15000", **args)
    record = bm.BailRecord.objects.get(pk=ab.record_id)
    assert record.status == bm.CLOSED and record.closed_on == today
    assert selectors.money(m.Abscondence.objects.get(pk=ab.pk)) == {
        "forfeited": Decimal("50000.00"), "recovered": Decimal("20000.00"), "written_off": Decimal("30000.00"),
        "owed": Decimal(0)}
    with pytest.raises(CaseError):  # nothing more to recover: the third instalment is refused
        services.pay_instalment(actor=users["finance.cm"], instalment_id=third.pk, key="pay-3", paid_on=today,
                                bank_reference="KTB-3")
    assert fsel.unbalanced_entries() == []


def test_the_bank_file_posts_matches_once_and_quarantines_the_rest(make_request: Any, users: dict[str, Any]) -> None:
    ab = absconded(make_request, users, "20000", "20000")
    today = clock.today()
    plan = services.make_plan(actor=users["officer.cm"], abscondence_id=ab.pk, agreed_on=today, basis="ตกลงผ่อน",
                              instalments=services.equal_instalments(Decimal("20000"), 4, today))
    first, second, *_rest = plan.instalments.order_by("number")
    day = today.isoformat()
    content = csv_file(f"TXN1,{day} 10:00:00,{first.reference},,5000.00",
                       f"TXN2,{day} 11:00:00,NOSUCHREF,,5000.00",  # matches nothing
                       f"TXN3,{day} 12:00:00,{second.reference},,4999.00",  # amount differs
                       f"TXN1,{day} 10:00:00,{first.reference},,5000.00",  # the same bank row again
                       "TXN4,yesterday,,,abc")  # malformed
    batch = services.import_bank_file(actor=users["finance.cm"], file_name="ktb.csv", content=content)
    assert (batch.rows, batch.posted, batch.quarantined) == (5, 1, 4)
    reasons = dict(m.BankRow.objects.filter(status=m.QUARANTINED).values_list("line_number", "reason"))
    assert reasons == {3: m.NO_MATCH, 4: m.AMOUNT_DIFFERS, 5: m.DUPLICATE, 6: m.MALFORMED}
    again = services.import_bank_file(actor=users["finance.cm"], file_name="ktb.csv", content=content)
    assert again.posted == 0 and again.quarantined == 5  # the whole file twice: nothing posted twice
    assert ledger.receivable_for(ab.record.request_id) == Decimal("15000.00")
    assert fsel.unbalanced_entries() == []
    first.refresh_from_db()
    assert first.paid_on == today and first.bank_reference == "TXN1"
    with pytest.raises(NotPermitted):
        services.import_bank_file(actor=users["officer.cm"], file_name="x.csv", content=content)
    with pytest.raises(CaseError, match="header"):
        services.import_bank_file(actor=users["finance.cm"], file_name="x.csv", content=b"a,b\n1,2\n")


def test_absconder_figures_by_year_and_region(make_request: Any, users: dict[str, Any]) -> None:
    ab = absconded(make_request, users, "50000", "50000")
    services.add_tracing(actor=users["officer.cm"], abscondence_id=ab.pk, on=clock.today(), result=m.NOT_TRACED)
    services.write_off(actor=users["head.cm"], abscondence_id=ab.pk, key="w", tier="provincial_head", amount="10000",
                       on=clock.today(), decision_reference="1/2569", reason="ไม่พบตัว")
    rows = selectors.absconder_figures(users["executive"])
    assert len(rows) == 1
    row = rows[0]
    assert (row.region, row.region_name_th, row.absconders, row.provincial, row.central) == (
        "north", "ภาคเหนือ", 1, 1, 0)
    assert (row.traced, row.not_traced, row.untraced_yet) == (0, 1, 0)
    assert (row.forfeited, row.recovered, row.written_off, row.outstanding) == (
        Decimal("50000.00"), Decimal(0), Decimal("10000.00"), Decimal("40000.00"))
    assert selectors.absconder_figures(users["officer.kk"]) == []  # another province sees none of it
    assert selectors.absconder_figures(users["executive"], row.fiscal_year + 1) == []


def test_every_province_has_one_region() -> None:
    import geothai  # noqa: PLC0415  (the test's own check)

    assert all(rules.region_of(p.code) is not None for p in geothai.provinces())


@pytest.mark.django_db(transaction=True)
def test_concurrent_payments_never_over_recover(make_request: Any, users: dict[str, Any]) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's")
    ab = absconded(make_request, users, "10000", "10000")
    finance = users["finance.cm"]
    today = clock.today()
    plans = [services.make_plan(actor=users["officer.cm"], abscondence_id=ab.pk, agreed_on=today, basis=f"แผน {n}",
                                instalments=[(today, "2500")]) for n in range(4)]
    # owe 10,000 and planned 10,000: write 5,000 off so only two of the four instalments fit
    services.write_off(actor=users["head.cm"], abscondence_id=ab.pk, key="w", tier="provincial_head", amount="5000",
                       on=today, decision_reference="1/2569", reason="บางส่วน")
    insts = [p.instalments.get() for p in plans]
    done: list[str] = []

    def pay(inst: m.Instalment) -> None:
        try:
            services.pay_instalment(actor=finance, instalment_id=inst.pk, key=f"c-{inst.pk}", paid_on=today,
                                    bank_reference=inst.reference)
            done.append("ok")
        except CaseError:
            done.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=pay, args=(i,)) for i in insts]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(done) == ["ok", "ok", "refused", "refused"]
    assert ledger.receivable_for(ab.record.request_id) == 0


# --------------------------------------------------------------------------- the pages


def _be(d: Any) -> str:
    return f"{d.day:02d}/{d.month:02d}/{d.year + 543}"


def test_the_pages_offer_each_role_its_forms_and_keep_what_was_typed(make_request: Any, users: dict[str, Any],
                                                                     login: Any) -> None:
    rec = deposited(make_request, users, "50000")
    url = f"/staff/requests/{rec.request_id}/recovery/"
    finance, officer, head, kk = login("finance.cm"), login("officer.cm"), login("head.cm"), login("officer.kk")
    page = finance.get(url)
    assert page.status_code == 200 and 'name="abscond-order"' in page.content.decode()
    assert 'name="abscond-order"' not in officer.get(url).content.decode()  # a case officer posts no money
    assert kk.get(url).status_code == 404  # another province's officer
    today = clock.today()
    form = {"abscond-key": "k-abs", "abscond-order": m.FORFEITURE, "abscond-absconded_on": _be(today),
            "abscond-court_name": "ศาลจังหวัดเชียงใหม่", "abscond-order_reference": "12/2569",
            "abscond-ordered_on": _be(today), "abscond-amount": "60000"}
    refused = finance.post(url + "abscond/", form)
    body = refused.content.decode()
    assert refused.status_code == 422 and "50,000.00" in body and 'value="12/2569"' in body  # kept, on its field
    ok = finance.post(url + "abscond/", {**form, "abscond-amount": "50000"})
    assert ok.status_code == 303
    assert finance.post(url + "abscond/", {**form, "abscond-amount": "50000"}).status_code in (303, 409, 422)
    assert m.Abscondence.objects.count() == 1
    page = officer.get(url).content.decode()
    assert 'name="tracing-result"' in page and 'name="suit-case_number"' in page and 'name="write_off-tier"' not in page
    assert 'name="write_off-tier"' in head.get(url).content.decode()
    assert officer.post(url + "tracing/", {"tracing-key": "t", "tracing-on": _be(today),
                                           "tracing-result": m.TRACED}).status_code == 303
    assert officer.post(url + "plan/", {"plan-key": "p", "plan-agreed_on": _be(today), "plan-basis": "ตกลงผ่อน",
                                        "plan-total": "50000", "plan-count": "5",
                                        "plan-first_due": _be(today)}).status_code == 303
    inst = m.Instalment.objects.order_by("number").first()
    assert inst is not None
    qr = finance.get(f"/staff/recovery/instalments/{inst.pk}/").content.decode()
    assert "<svg" in qr and inst.reference in qr and "10,000.00 บาท" in qr
    assert finance.post(url + "pay/", {"row": str(inst.pk), f"pay{inst.pk}-key": "pk", f"pay{inst.pk}-instalment":
                                       str(inst.pk), f"pay{inst.pk}-paid_on": _be(today),
                                       f"pay{inst.pk}-bank_reference": "KTB9"}).status_code == 303
    over = head.post(url + "write_off/", {"write_off-key": "w", "write_off-tier": "provincial_head",
                                          "write_off-amount": "40000.01", "write_off-on": _be(today),
                                          "write_off-decision_reference": "1/2569", "write_off-reason": "ไม่มีทรัพย์"})
    assert over.status_code == 422 and "40000.01" in over.content.decode()
    importer = finance.get("/staff/recovery/import/")
    assert importer.status_code == 200 and officer.get("/staff/recovery/import/").status_code == 403
    figures = login("executive").get("/staff/absconders/").content.decode()
    assert "ภาคเหนือ" in figures and "50,000.00" in figures
