"""The whole-street resident export (/io/export/residents.xlsx) streamed: time to the first bytes and to
the end, against the file written whole before sending (the former way) as the floor.

    .venv/bin/python bench/outreach_export_stream.py

(Named with the outreach benches of its author; it measures fanzha.core.exports.StreamedXlsx as the
io export view uses it.) On the county data set, for its largest street: the office's rows of the
resident export, masked, (1) streamed with StreamedXlsx — seconds to the first chunk that carries rows
and to the last byte — and (2) written whole with XlsxExport (constant_memory into a temporary file)
before a byte could leave. Best of three each; the ratio total-streamed / written-whole is printed
(target: ≤ 1.2×, first rows ≤ 1 s).
"""

from __future__ import annotations

import time

from _common import county_db, engine, verdict


def main() -> None:
    county_db()
    from django.db.models import Count

    from fanzha.core.exports import StreamedXlsx, XlsxExport
    from fanzha.org import exporters
    from fanzha.org.models import Level, Node, Resident
    from fanzha.outreach.reports import SYSTEM

    top = (Resident.objects.values("street_id").annotate(n=Count("id")).order_by("-n").first())
    street = Node.objects.get(pk=top["street_id"], level=Level.STREET)
    spec = exporters.EXPORTS["residents"]
    filters = exporters.Filters(node=street)
    print(f"export stream bench: {engine()}; {street.name}: {top['n']:,} residents")
    streamed, first, whole = [], [], []
    for _run in range(3):
        t0 = time.perf_counter()
        book = StreamedXlsx(spec.headers, spec.rows(SYSTEM, filters, False), sheet_name="居民",
                            text_columns=spec.text_columns)
        size, t_first = 0, None
        for chunk in book.chunks():
            size += len(chunk)
            if t_first is None and book.count:
                t_first = time.perf_counter() - t0
        streamed.append(time.perf_counter() - t0)
        first.append(t_first or streamed[-1])
        t0 = time.perf_counter()
        out = XlsxExport(spec.headers, sheet_name="居民", text_columns=spec.text_columns)
        for row in spec.rows(SYSTEM, filters, False):
            out.write(row)
        f = out.close()
        f.seek(0, 2)
        whole.append(time.perf_counter() - t0)
        print(f"  streamed: first rows {first[-1]:5.2f} s, all {streamed[-1]:5.2f} s ({size / 1048576:.1f} MB, "
              f"{book.count:,} rows) · written whole first: {whole[-1]:5.2f} s ({f.tell() / 1048576:.1f} MB)")
    ratio = min(streamed) / min(whole)
    print(f"  best: first rows after {min(first):.2f} s (target ≤ 1 s: {verdict(min(first), 1.0)}), "
          f"whole file {min(streamed):.2f} s vs {min(whole):.2f} s written whole = {ratio:.2f}× "
          f"(target ≤ 1.2×: {verdict(ratio, 1.2)})")


if __name__ == "__main__":
    main()
