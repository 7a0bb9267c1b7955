#!/usr/bin/env python3
"""Writes the sample exports in this folder. Deterministic: the same files every time.

    python3 examples/data/make_samples.py

customers.csv       300 customers of an export company, English headers, UTF-8
customers.ndjson    the first 50 of them, one JSON object per line
customers_zh.csv    20 customers with Chinese headers, GBK-encoded as Excel on Chinese
                    Windows saves it, dates as 2024/3/5 and amounts with thousands separators
orders.csv          order lines of those 300 customers (customer_id, date, amount,
                    product_line, incoterm), matching their order counts
shipments.csv       customs-data bill-of-lading rows for importers among them (customer_id,
                    date, hs_code, quantity, value_usd, port), over three years
"""
import csv
import datetime as dt
import json
import pathlib
import random

HERE = pathlib.Path(__file__).parent
AS_OF = dt.date(2026, 11, 1)
rnd = random.Random(2026)

COUNTRIES = ["US", "US", "US", "CA", "MX", "GL", "BR", "BR", "CO", "AR", "CL", "PE",
             "LT", "RS", "PL", "RO", "UA", "CZ", "GB", "GB", "IE", "NL", "FR", "DE", "DE",
             "ES", "IT", "IN", "IN", "PK", "NP", "LK", "MV", "BD", "MM", "TH", "KH", "LA",
             "VN", "VN", "PH", "MY", "ID", "SG", "SA", "AE", "AE", "EG", "LY", "TN", "QA",
             "TR", "UG", "TZ", "NG", "KE", "ZA", "GH", "JP", "KR", "AU", "NZ", ""]
IDENTITIES = ["distributor", "agent", "OEM", "engineering", "retailer", "maintenance"]
SOURCES = ["exhibition", "exhibition", "social media", "email outreach", "ads",
           "B2B platform", "B2B platform", "website", "referral"]
PRODUCTS = ["phone-accessories", "computer-accessories", "led-lighting",
            "sportswear-fabric", "formalwear-fabric", "spare-parts"]
FAIR = ["", "", "", "signed", "intends", "disputes", "material", "visitor"]
OWNERS = ["Li Na", "Wang Wei", "Zhang Min", "Chen Jie", "Liu Yang"]
WORDS = ["Global", "Trading", "Import", "Supply", "Star", "Ocean", "Pacific", "Nordic",
         "Delta", "Prime", "Unity", "Atlas", "Golden", "Bright", "Harbor", "Summit"]
SUFFIXES = ["Ltd.", "LLC", "GmbH", "S.A.", "Co., Ltd.", "Pvt Ltd", "B.V.", "Inc.", "S.r.l."]


def day(offset):
    return (AS_OF - dt.timedelta(days=offset)).isoformat()


def customer(i):
    inquiries = min(int(rnd.expovariate(1 / 3)), 25)
    detailed = inquiries >= 2 and rnd.random() < 0.5
    samples = rnd.choice([0, 0, 0, 1, 1, 2]) if inquiries else 0
    ordered = rnd.random() < 0.12 + 0.15 * samples
    orders = 1 + min(int(rnd.expovariate(1 / 6)), 60) if ordered else 0
    orders_12m = rnd.randint(0, min(orders, 14)) if orders else 0
    orders_prev = rnd.randint(0, min(orders - orders_12m, 14)) if orders else 0
    revenue_12m = round(orders_12m * rnd.lognormvariate(10.8, 1.3), 2) if orders_12m else 0
    revenue_prev = round(orders_prev * rnd.lognormvariate(10.8, 1.3), 2) if orders_prev else 0
    first = rnd.randint(10, 2000)
    last_contact = "" if rnd.random() < 0.04 else day(rnd.randint(0, min(first, 400)))
    last_order = day(rnd.randint(0, min(first, 800))) if orders else ""
    sample_sent = day(rnd.randint(5, 120)) if samples and not orders else ""
    feedback = day(rnd.randint(0, 4)) if sample_sent and rnd.random() < 0.4 else ""
    status = "declined" if not orders and rnd.random() < 0.12 else ""
    fair = rnd.choice(FAIR)
    source = "exhibition" if fair else rnd.choice(SOURCES)
    deposit = ("yes" if rnd.random() < 0.5 else "no") if fair == "signed" else ""
    return {
        "id": f"C{i:04d}",
        "company": f"{rnd.choice(WORDS)} {rnd.choice(WORDS)} {rnd.choice(SUFFIXES)}",
        "country": rnd.choice(COUNTRIES),
        "identity": rnd.choice(IDENTITIES),
        "source": source,
        "product_line": ";".join(sorted(rnd.sample(PRODUCTS, rnd.randint(1, 2)))),
        "inquiries": inquiries,
        "detailed_questions": "yes" if detailed else "no",
        "samples": samples,
        "sample_sent": sample_sent,
        "sample_feedback": feedback,
        "orders": orders,
        "orders_12m": orders_12m,
        "orders_prev_12m": orders_prev,
        "revenue_12m": revenue_12m,
        "revenue_prev_12m": revenue_prev,
        "late_payments": rnd.choice([0] * 7 + [1, 2]) if orders else 0,
        "first_contact": day(first),
        "last_contact": last_contact,
        "last_order": last_order,
        "status": status,
        "fair_outcome": fair,
        "deposit_received": deposit,
        "owner": rnd.choice(OWNERS),
    }


def main():
    rows = [customer(i) for i in range(1, 301)]
    # A few cells as real exports have them: spaces, a thousands separator, a typo.
    rows[7]["revenue_12m"] = "1,250,000.00"
    rows[11]["country"] = " de "
    rows[19]["inquiries"] = "three"
    rows[23]["last_contact"] = "2026/10/5"
    with open(HERE / "customers.csv", "w", newline="", encoding="utf-8") as f:
        out = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        out.writeheader()
        out.writerows(rows)
    with open(HERE / "customers.ndjson", "w", encoding="utf-8") as f:
        for row in rows[:50]:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    zh_header = ["客户编号", "公司名称", "国家", "询盘次数", "样品单数", "订单数",
                 "近12个月采购额", "最后联系日期", "最后下单日期", "负责人"]
    with open(HERE / "customers_zh.csv", "w", newline="", encoding="gbk") as f:
        out = csv.writer(f, lineterminator="\r\n")
        out.writerow(zh_header)
        for i in range(1, 21):
            r = customer(1000 + i)
            def excel_date(text):
                if not text:
                    return ""
                d = dt.date.fromisoformat(text)
                return f"{d.year}/{d.month}/{d.day}"
            name = rnd.choice(["深圳", "宁波", "义乌", "广州", "厦门"]) + rnd.choice(["外贸", "进出口", "贸易"]) + "有限公司"
            out.writerow([f"KH{i:03d}", name, r["country"], r["inquiries"], r["samples"],
                          r["orders"], f"{float(r['revenue_12m']):,.2f}", excel_date(r["last_contact"]),
                          excel_date(r["last_order"]), r["owner"]])


def orders(rows):
    """Order lines matching each customer's counts: orders_12m in the last twelve months,
    orders_prev_12m in the twelve before, the rest earlier."""
    out = []
    for r in rows:
        try:
            total, recent, before = int(r["orders"]), int(r["orders_12m"]), int(r["orders_prev_12m"])
        except ValueError:
            continue
        lines = r["product_line"].split(";")
        revenue = float(str(r["revenue_12m"]).replace(",", "") or 0)
        for k in range(total):
            if k < recent:
                offset = rnd.randint(0, 364)
                amount = round(revenue / recent * rnd.uniform(0.6, 1.4), 2) if revenue else round(rnd.lognormvariate(9, 1), 2)
            elif k < recent + before:
                offset = rnd.randint(366, 729)
                amount = round(rnd.lognormvariate(10.5, 1.1), 2)
            else:
                offset = rnd.randint(731, 1500)
                amount = round(rnd.lognormvariate(10, 1), 2)
            out.append([r["id"], day(offset), f"{amount:.2f}", rnd.choice(lines), rnd.choice(["FOB", "CIF", "EXW"])])
    out.sort(key=lambda o: o[1])
    # As exports have them: an order for a customer not in the list, a date typed wrong.
    out.insert(10, ["C9999", day(40), "1200.00", "led-lighting", "FOB"])
    out.insert(20, [out[20][0], "31/02/2026", "500.00", "spare-parts", "FOB"])
    return out


def shipments(rows):
    """Customs rows for importers: some buy every year, some are new, some fade."""
    hs = {"phone-accessories": "8517", "computer-accessories": "8471", "led-lighting": "9405",
          "sportswear-fabric": "6006", "formalwear-fabric": "5112", "spare-parts": "8544"}
    ports = ["Los Angeles", "Rotterdam", "Jebel Ali", "Santos", "Mombasa", "Laem Chabang"]
    out = []
    for r in rows:
        pattern = rnd.choice(["none", "none", "steady", "rising", "fading", "new", "old"])
        counts = {"none": (0, 0, 0), "steady": (4, 4, 3), "rising": (5, 1, 0), "fading": (1, 5, 4),
                  "new": (2, 0, 0), "old": (0, 0, 3)}[pattern]
        for year, n in enumerate(counts):
            for _ in range(n + rnd.choice([0, 0, 1])):
                offset = rnd.randint(365 * year + 1, 365 * (year + 1) - 1)
                line = rnd.choice(r["product_line"].split(";"))
                quantity = rnd.randint(100, 5000)
                out.append([r["id"], day(offset), hs[line], quantity, f"{quantity * rnd.uniform(2, 40):.2f}", rnd.choice(ports)])
    out.sort(key=lambda o: o[1])
    return out


def write_events():
    with open(HERE / "customers.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    with open(HERE / "orders.csv", "w", newline="", encoding="utf-8") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(["customer_id", "date", "amount", "product_line", "incoterm"])
        out.writerows(orders(rows))
    with open(HERE / "shipments.csv", "w", newline="", encoding="utf-8") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(["customer_id", "date", "hs_code", "quantity", "value_usd", "port"])
        out.writerows(shipments(rows))


if __name__ == "__main__":
    main()
    write_events()
