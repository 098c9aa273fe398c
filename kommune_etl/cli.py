"""The `kommune-etl` console script. Thin: parse arguments, call stage functions, print.

Exit codes: 0 success, 1 a document was rejected (extract) or a query failed, 2 usage error, 3 the machine
stopped the command (the disk is full, the warehouse is locked by another process, an applied migration was
edited): one line says which; nothing is lost.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
from importlib import resources
from pathlib import Path

from kommune_etl.extractors.sandbox import Limits
from kommune_etl import __version__

EXIT_OK, EXIT_REJECTED, EXIT_USAGE, EXIT_ENVIRONMENT = 0, 1, 2, 3


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return args.handler(args)
    except FileNotFoundError as exc:
        print(f"kommune-etl: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `kommune-etl query … | head`: the reader has what it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except Exception as exc:
        usage, environment = usage_problem(exc), environment_problem(exc)
        if usage is None and environment is None:
            raise
        print(f"kommune-etl: {usage or environment}", file=sys.stderr)
        return EXIT_USAGE if usage else EXIT_ENVIRONMENT


def usage_problem(exc: BaseException) -> str | None:
    """A one-line explanation when the command was given something it cannot use (a --db that is no warehouse)."""
    from kommune_etl.warehouse.connection import NotAWarehouse

    text = str(exc).splitlines()[0] if str(exc) else ""
    from_duckdb = type(exc).__module__.startswith(("duckdb", "_duckdb"))
    quoted = text.split('"')[1] if text.count('"') >= 2 else None  # DuckDB quotes the path it could not use
    if isinstance(exc, NotAWarehouse):
        where, what = exc.path, exc.what
    elif from_duckdb and ("not a valid DuckDB database file" in text or "Is a directory" in text):
        where, what = quoted or "the --db path", "not a DuckDB file"
    elif isinstance(exc, (PermissionError, IsADirectoryError, NotADirectoryError)) or (
            from_duckdb and "Cannot open file" in text):
        # a file that may not be read, a folder that may not be written: the path is the user's to change
        where = getattr(exc, "filename", None) or quoted or "a path"
        reason = getattr(exc, "strerror", None) or text.rsplit(":", 1)[-1].strip()
        return (f"cannot open {where} ({reason}); check the path and its permissions, or pass another file or "
                "--db (in a folder you may write).")
    else:
        return None
    return (f"{where} is not a warehouse ({what}; a warehouse is a DuckDB file made by kommune-etl); pass the "
            "warehouse file with --db, e.g. --db data/warehouse.duckdb, or a new file name to start one.")


_NO_SPACE = ("No space left", "File too large", "Disk quota exceeded", "Could not write file", "Could not truncate")


def environment_problem(exc: BaseException) -> str | None:
    """A one-line explanation when the machine, not a document, stopped the command; None for anything else."""
    import errno

    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT):
        where = f" {exc.filename}" if exc.filename else ""
        return (f"could not write{where}: {exc.strerror}. Free space (or raise the file-size limit) and run the same "
                "command again: the raw archive and every document loaded before are kept, and this run is closed as "
                "interrupted by the next one.")
    from kommune_etl.warehouse.migrate import MigrationChanged

    if isinstance(exc, MigrationChanged):
        return str(exc)
    if not type(exc).__module__.startswith(("duckdb", "_duckdb")):
        return None
    if "Could not set lock" in text or "Conflicting lock" in text:
        holder = text.split("Conflicting lock is held in", 1)[-1].strip() if "Conflicting lock" in text else text
        return f"the warehouse is in use by another process ({holder}); wait for it to finish (a nightly run?) or pass another --db."
    if any(marker in text for marker in _NO_SPACE):
        return (f"the warehouse could not be written ({text[:200]}). Free space and run the same command again: the "
                "raw archive and every document loaded before are kept, and this run is closed as interrupted by the "
                "next one.")
    return None


def _parser() -> argparse.ArgumentParser:
    from kommune_etl.warehouse.connection import DB_ENV, default_db_path

    parser = argparse.ArgumentParser(prog="kommune-etl", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"kommune-etl {__version__}")
    sub = parser.add_subparsers(metavar="COMMAND")

    def with_db(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        p.add_argument("--db", type=Path, default=default_db_path(),
                       help=f"DuckDB warehouse file (default: ${DB_ENV} or data/warehouse.duckdb)")
        return p

    def with_lake(p: argparse.ArgumentParser, help_text: str) -> argparse.ArgumentParser:
        from kommune_etl.warehouse.lake import LAKE_DATA_ENV, LAKE_ENV

        p.add_argument("--lake", metavar="CATALOG", default=os.environ.get(LAKE_ENV),
                       help=f"{help_text}; a DuckLake catalog such as 'postgres:dbname=kommune_lake host=127.0.0.1'"
                            f" (default: ${LAKE_ENV})")
        p.add_argument("--lake-data", type=Path, default=Path(os.environ.get(LAKE_DATA_ENV, "data/lake")),
                       help=f"folder of the lake's Parquet files (default: ${LAKE_DATA_ENV} or data/lake)")
        return p

    def with_limits(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        defaults = Limits()
        p.add_argument("--timeout", type=float, default=defaults.timeout_s, help="seconds per document (default %(default)s)")
        p.add_argument("--max-memory-mb", type=int, default=defaults.memory_mb,
                       help="memory ceiling per document, reading and analysis (default %(default)s)")
        p.add_argument("--max-bytes", type=int, default=defaults.max_bytes, help="largest file accepted (default %(default)s)")
        p.add_argument("--no-ocr", action="store_true", help="report scanned pages as no_text_layer instead of OCR-ing them")
        return p

    p = with_lake(with_limits(with_db(sub.add_parser("ingest", help="load files or folders (recursive) into the warehouse"))),
                  "then publish what changed into this DuckLake")
    p.add_argument("--lake-batch", type=int, default=32, help="documents per lake commit (default %(default)s)")
    p.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    p.add_argument("--no-progress", action="store_true", help="no progress bar even on a terminal")
    p.add_argument("--keep-personal-data", action="store_true",
                   help="store fødselsnummer, private e-mail and mobile numbers unmasked (still counted as a warning)")
    p.set_defaults(handler=_cmd_ingest)

    p = with_limits(sub.add_parser("extract", help="read one file and print what was found (no database)"))
    p.add_argument("file", type=Path, metavar="FILE")
    p.add_argument("--format", choices=("json", "text"), default="json")
    p.add_argument("--no-checks", action="store_true",
                   help="skip the quality checks (faster; the status then says only whether the file could be read, "
                        "not whether ingest would quarantine it)")
    p.set_defaults(handler=_cmd_extract)

    p = with_lake(with_db(sub.add_parser("query", help="run read-only SQL against the warehouse")),
                  "query this DuckLake instead of the --db file")
    p.add_argument("sql", metavar="SQL")
    p.add_argument("--format", choices=("table", "csv", "json"), default="table")
    p.set_defaults(handler=_cmd_query)

    p = with_db(sub.add_parser("status", help="documents per type and status, last runs, open quarantine"))
    p.set_defaults(handler=_cmd_status)

    p = with_limits(with_db(sub.add_parser("reprocess", help="run quarantined documents again from the raw archive")))
    p.add_argument("--quarantined", action="store_true", required=True, help="every document with an open quarantine entry")
    p.set_defaults(handler=_cmd_reprocess)

    p = with_db(sub.add_parser("quality", help="what failed the quality checks (last run, or --run ID)"))
    p.add_argument("--run", type=int, help="run id (default: the latest run with quality results)")
    p.add_argument("--format", choices=("table", "csv", "json"), default="table")
    p.set_defaults(handler=_cmd_quality)

    p = sub.add_parser("evaluate", help="precision/recall of normalised entities against answer keys")
    p.add_argument("gold_dir", type=Path, metavar="GOLD_DIR", help="a folder of answer keys")
    p.add_argument("more_keys", type=Path, nargs="*", metavar="MORE_KEYS", help="more folders of entity keys, scored together")
    p.add_argument("--docs", type=Path, action="append",
                   help="folder with the documents named like the keys (repeatable; default: GOLD_DIR/../corpus/samples "
                        "and samples-pdf)")
    p.add_argument("--min", type=float, default=0.0, help="exit 1 when a gated label falls below this precision/recall "
                   "(meeting keys: attendance and named voters P/R, and the share of right vote counts)")
    p.add_argument("--reconcile", type=Path, action="append", default=[], metavar="DIR",
                   help="protocols without keys: print the share of votes that reconcile with the attendance and the "
                        "named lists, and of cases with an outcome (repeatable)")
    p.set_defaults(handler=_cmd_evaluate)

    p = with_lake(with_db(sub.add_parser("publish", help="publish this loader's changed documents into a DuckLake")),
                  "the DuckLake to publish into (required here)")
    p.add_argument("--batch", type=int, default=32, help="documents per lake commit (default %(default)s)")
    p.set_defaults(handler=_cmd_publish)

    def with_sources(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        p.add_argument("--sources", type=Path, default=None, metavar="FILE",
                       help="the deployment's sources (TOML; default $KOMMUNE_ETL_SOURCES; see sources.example.toml)")
        p.add_argument("--inbox", type=Path, default=os.environ.get("KOMMUNE_ETL_INBOX"),
                       help="folder to write the documents into (default $KOMMUNE_ETL_INBOX)")
        p.add_argument("--ingest", action="store_true", help="ingest the inbox afterwards")
        p.add_argument("--min-interval", type=float, default=None, help="seconds between requests (default: the "
                       "source's min_interval_s, 1.0)")
        return p

    p = with_sources(with_db(sub.add_parser(
        "fetch", help="download new or changed documents of configured sources (or one HTTP listing) into an inbox")))
    p.add_argument("url", nargs="?", help="an ad-hoc HTTP listing: a JSON feed ({items: [{url, restricted}], next}) "
                   "or an HTML page of document links")
    p.add_argument("--source", action="append", default=[], metavar="NAME",
                   help="a configured source (repeatable; default: every configured source)")
    p.set_defaults(handler=_cmd_fetch)

    p = with_sources(with_db(sub.add_parser(
        "backfill", help="fetch a configured source's documents of a date range (meeting dates); the watermark stays")))
    p.add_argument("source", nargs="+", metavar="NAME", help="configured source(s)")
    p.add_argument("--from", dest="date_from", type=_date, required=True, metavar="YYYY-MM-DD")
    p.add_argument("--to", dest="date_to", type=_date, required=True, metavar="YYYY-MM-DD")
    p.set_defaults(handler=_cmd_fetch)

    p = with_db(sub.add_parser("sources", help="configured sources with their watermark and last fetch"))
    p.add_argument("--sources", type=Path, default=None, metavar="FILE")
    p.add_argument("--format", choices=("table", "csv", "json"), default="table")
    p.set_defaults(handler=_cmd_sources)

    p = with_db(sub.add_parser("search", help="full-text search over page text (BM25, Norwegian stemming)"))
    p.add_argument("query", help="words to look for, e.g. 'velferdsteknologi tilskudd'")
    p.add_argument("--limit", type=int, default=10, help="hits to show (default %(default)s)")
    p.add_argument("--format", choices=("table", "csv", "json"), default="table")
    p.add_argument("--rebuild", action="store_true", help="rebuild the search index first (needs write access)")
    p.set_defaults(handler=_cmd_search)

    p = with_db(sub.add_parser("person", help="one person's profile: meetings, votes, minority votes, proposals, bodies"))
    p.add_argument("name", help="a name or part of one, e.g. 'Astrid Vordal' (every written form is searched)")
    p.add_argument("--municipality", metavar="CODE", help="only people of this municipality (kommunenummer, e.g. 5037)")
    p.add_argument("--format", choices=("table", "csv", "json"), default="table")
    p.set_defaults(handler=_cmd_person)

    p = with_lake(with_db(sub.add_parser("export", help="write every mart to Parquet or CSV files, partitioned by year")),
                  "export from this DuckLake instead of the --db file")
    p.add_argument("--format", choices=("parquet", "csv"), default="parquet")
    p.add_argument("--out", type=Path, required=True, help="folder to write (one sub-folder per mart)")
    p.set_defaults(handler=_cmd_export)

    p = with_db(sub.add_parser("report", help="write a self-contained HTML report (charts, quality, quarantine)"))
    p.add_argument("--out", type=Path, required=True, help="folder to write index.html into")
    p.set_defaults(handler=_cmd_report)

    p = with_db(sub.add_parser("demo", help="ingest the bundled sample documents and show what landed"))
    p.set_defaults(handler=_cmd_demo)
    return parser


def _limits(args: argparse.Namespace) -> Limits:
    return Limits(timeout_s=args.timeout, memory_mb=args.max_memory_mb, max_bytes=args.max_bytes)


def _cmd_ingest(args: argparse.Namespace) -> int:
    from kommune_etl.progress import ingest_with_progress

    from kommune_etl.pipeline import ocr_settings_for

    summary = ingest_with_progress(args.paths, args.db, _limits(args), show=not args.no_progress,
                                   ocr=ocr_settings_for(args.db, enabled=not args.no_ocr),
                                   mask_pii=not args.keep_personal_data)
    _print_summary(summary, args.db)
    if args.lake:
        return _publish(args, batch=args.lake_batch)
    return EXIT_OK


def _lake_config(args: argparse.Namespace):
    from kommune_etl.warehouse.lake import LakeConfig

    return LakeConfig(args.lake, args.lake_data)


def _publish(args: argparse.Namespace, batch: int) -> int:
    from kommune_etl.pipeline import publish_to_lake

    published = publish_to_lake(args.db, _lake_config(args), batch)
    print(f"lake: {published.documents} documents published in {published.commits} commits"
          f" ({published.retries} retried after conflicts) to {args.lake}")
    return EXIT_OK


def _cmd_publish(args: argparse.Namespace) -> int:
    if not args.lake:
        print("kommune-etl publish: no lake given; pass --lake CATALOG or set $KOMMUNE_ETL_LAKE", file=sys.stderr)
        return EXIT_USAGE
    return _publish(args, args.batch)


def _reader(args: argparse.Namespace):
    """A read-only connection to the --db file, or to the lake when --lake is given."""
    if getattr(args, "lake", None):
        from kommune_etl.warehouse.lake import open_lake_reader

        return open_lake_reader(_lake_config(args))
    from kommune_etl.warehouse.connection import open_published

    return open_published(args.db)


def _print_summary(summary, db: Path) -> None:
    skipped = f", {summary.paths_skipped} skipped (not documents)" if summary.paths_skipped else ""
    print(f"documents: {summary.new} new, {summary.unchanged} unchanged, {summary.updated} updated, "
          f"{summary.quarantined} quarantined{skipped}; {summary.pages} pages in {summary.seconds:.1f} s "
          f"(run {summary.run_id}, warehouse {db})")
    for result in summary.rejected:
        print(f"  quarantined [{result.error.code}] {result.error.message}", file=sys.stderr)
    if summary.paths_skipped:
        print(f"skipped {summary.paths_skipped} path(s) that are not documents to read:", file=sys.stderr)
        for path, reason in summary.skipped:
            print(f"  skipped {path}: {reason}", file=sys.stderr)
        if summary.hidden:
            print(f"  skipped {summary.hidden} hidden file(s) or folder(s) (names starting with '.', e.g. .DS_Store, "
                  "._name.pdf from macOS, .git)", file=sys.stderr)
    if summary.data_docs:
        print(f"quality: `kommune-etl quality --db {db}`; GX Data Docs: {summary.data_docs}")


def _cmd_extract(args: argparse.Namespace) -> int:
    from kommune_etl.contract import document_json
    from kommune_etl.models import RawDocument, Status
    from kommune_etl.pipeline import process_document, read_raw

    if not args.file.is_file():
        what = "is a folder (extract reads one file; `ingest` takes folders)" if args.file.is_dir() else "no such file"
        print(f"kommune-etl extract: {args.file}: {what}", file=sys.stderr)
        return EXIT_USAGE
    from kommune_etl.extractors.ocr import OcrSettings

    from kommune_etl.transforms.pii import pseudonymise

    raw = read_raw(args.file)
    raw = RawDocument(raw.content, pseudonymise(raw.source, None))  # personal data in the file's name is masked too
    result = process_document(raw, _limits(args), ocr=OcrSettings(enabled=not args.no_ocr))
    if not args.no_checks:
        from kommune_etl.pipeline import validate

        result, _ = validate(result)  # the checks ingest runs: a document ingest would quarantine says so here
    if args.format == "json":
        json.dump(document_json(result), sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        for page in result.pages:
            print(f"--- page {page.number} ---\n{page.text}")
    if result.status is not Status.OK:
        print(f"kommune-etl extract: {result.status.value} [{result.error.code}] {result.error.message}", file=sys.stderr)
        return EXIT_REJECTED
    return EXIT_OK


#: What user SQL may be: reading. Writing files (COPY, EXPORT), other databases (ATTACH), extensions (INSTALL,
#: LOAD) and settings (SET, RESET) are refused, and the host's files are out of reach (external access off).
_READ_STATEMENTS = ("SELECT", "EXPLAIN")


def _cmd_query(args: argparse.Namespace) -> int:
    import duckdb

    con = _reader(args)
    try:
        kinds = [statement.type.name for statement in con.extract_statements(args.sql)]
        refused = [kind for kind in kinds if kind not in _READ_STATEMENTS]
        if refused:
            print(f"kommune-etl query: only reading is allowed (SELECT, WITH, SHOW, DESCRIBE, SUMMARIZE, EXPLAIN); "
                  f"refused: {', '.join(dict.fromkeys(refused))}. To write files use `kommune-etl export`.", file=sys.stderr)
            return EXIT_USAGE
        _lock_down(con, [str(args.lake_data)] if getattr(args, "lake", None) and getattr(args, "lake_data", None) else [])
        cursor = con.execute(args.sql)
    except duckdb.Error as exc:
        print(f"kommune-etl query: {str(exc).splitlines()[0]}", file=sys.stderr)
        return EXIT_REJECTED
    columns = [d[0] for d in cursor.description or []]
    rows = cursor.fetchall()
    write_rows(columns, rows, args.format)
    return EXIT_OK


def _lock_down(con, allowed_directories: list[str] = ()) -> None:
    """No file, URL or other database from user SQL (but the lake's own data files), and no way back."""
    if allowed_directories:
        con.execute("SET allowed_directories = ?", [[str(Path(d).resolve()) + "/" for d in allowed_directories]])
    con.execute("SET enable_external_access = false")
    con.execute("SET lock_configuration = true")


def write_rows(columns: list[str], rows: list[tuple], fmt: str, out=None) -> None:
    out = out or sys.stdout
    if fmt == "json":
        json.dump([dict(zip(columns, row)) for row in rows], out, ensure_ascii=False, default=str, indent=2)
        out.write("\n")
    elif fmt == "csv":
        writer = csv.writer(out)
        writer.writerow(columns)
        writer.writerows(rows)
    else:
        from rich.console import Console
        from rich.table import Table

        class _Console(Console):
            def on_broken_pipe(self) -> None:  # rich exits 1 itself; `main` ends a closed pipe as every format does
                raise BrokenPipeError

        table = Table(*columns, show_lines=False)
        for row in rows:
            table.add_row(*["" if v is None else str(v) for v in row])
        _Console(file=out, width=max(100, Console().width)).print(table)
        print(f"({len(rows)} row{'s' if len(rows) != 1 else ''})", file=out)


STATUS_QUERIES = {
    "documents by type and status": "SELECT doc_type, status, count(*) AS documents, sum(pages) AS pages"
                                    " FROM documents GROUP BY ALL ORDER BY ALL",
    # skipped: read by name from the row, so a snapshot published before `runs.paths_skipped` existed still reads
    "last runs": "SELECT run_id, command, started_at, documents_new AS new, documents_unchanged AS unchanged,"
                 " documents_updated AS updated, documents_quarantined AS quarantined,"
                 " (to_json(r) ->> 'paths_skipped')::INTEGER AS skipped, pages, round(seconds, 1) AS seconds"
                 " FROM runs r ORDER BY run_id DESC LIMIT 5",
    "open quarantine": "SELECT reason_code, stage, source, quarantined_at FROM quarantine"
                       " WHERE resolved_at IS NULL ORDER BY quarantined_at DESC",
}


def _cmd_status(args: argparse.Namespace) -> int:
    from kommune_etl.warehouse.connection import open_published

    con = open_published(args.db)
    for heading, sql in STATUS_QUERIES.items():
        cursor = con.execute(sql)
        print(f"\n{heading}")
        write_rows([d[0] for d in cursor.description], cursor.fetchall(), "table")
    return EXIT_OK


def _cmd_reprocess(args: argparse.Namespace) -> int:
    from kommune_etl.pipeline import reprocess_quarantined

    summary = reprocess_quarantined(args.db, _limits(args))
    print(f"reprocessed: {summary.updated} recovered, {summary.quarantined} still quarantined; "
          f"{summary.pages} pages in {summary.seconds:.1f} s (run {summary.run_id}, warehouse {args.db})")
    for result in summary.rejected:
        print(f"  quarantined [{result.error.code}] {result.error.message}", file=sys.stderr)
    return EXIT_OK


def _cmd_quality(args: argparse.Namespace) -> int:
    from kommune_etl.warehouse.connection import open_published

    con = open_published(args.db)
    run = args.run or con.execute("SELECT max(run_id) FROM quality_runs").fetchone()[0]
    if run is None:
        print("no quality results yet: run `kommune-etl ingest` first")
        return EXIT_OK
    summary = con.execute("SELECT documents, documents_with_errors, documents_with_warnings, failed_checks"
                          " FROM quality_runs WHERE run_id = ?", [run]).fetchone()
    if summary is None:
        print(f"kommune-etl quality: no run {run}", file=sys.stderr)
        return EXIT_USAGE
    print(f"run {run}: {summary[0]} documents checked, {summary[1]} with errors (quarantined), "
          f"{summary[2]} with warnings, {summary[3]} failed checks")
    cursor = con.execute(
        "SELECT r.severity, r.suite || '.' || r.check_name AS expectation,"
        " coalesce(regexp_extract(d.source, '[^/]+$'), '(warehouse)') AS document,"
        " r.unexpected, r.observed FROM quality_results r LEFT JOIN documents d USING (sha256)"
        " WHERE r.run_id = ? AND NOT r.success ORDER BY r.severity, expectation, document", [run])
    write_rows([c[0] for c in cursor.description], cursor.fetchall(), args.format)
    return EXIT_OK


def _cmd_evaluate(args: argparse.Namespace) -> int:
    from kommune_etl.evaluate import GATED_LABELS, find_documents, load_gold, score, summarise
    from kommune_etl.pipeline import process_document, read_raw

    folders = args.docs or [args.gold_dir.parent / "corpus" / "samples", args.gold_dir.parent / "corpus" / "samples-pdf"]
    rows, failing = [], []
    if (args.gold_dir / "PAIRS.tsv").exists():
        return _evaluate_elections(args.gold_dir, args.docs or [args.gold_dir.parent], args.min)
    meeting_failures, meeting_keys = _evaluate_meetings(args.gold_dir, folders, args.min)
    failing += meeting_failures
    if args.reconcile:
        _print_reconciliation(args.reconcile)
    scores = []
    keys = {stem: gold for folder in [args.gold_dir, *args.more_keys] for stem, gold in load_gold(folder).items()}
    for stem, gold in keys.items():
        if "voteringer" in gold or "oppmote" in gold or "amounts_nok" not in gold:
            continue  # meeting keys are scored above; other key formats are not entity keys
        paths = find_documents(stem, folders)
        if not paths:
            print(f"{stem}: no document named {stem}.* in {', '.join(map(str, folders))}: pass its folder with --docs",
                  file=sys.stderr)
            failing.append(f"{stem} (no document)")
        for path in paths:
            for s in score(process_document(read_raw(path)), gold):
                scores.append(s)
                rows.append((s.document, s.label, f"{s.precision:.2f}", f"{s.recall:.2f}", f"{s.f1:.2f}",
                             s.predicted, s.expected, " ".join(s.missing[:4]), " ".join(s.extra[:4])))
                if s.label in GATED_LABELS and min(s.precision, s.recall) < args.min:
                    failing.append(f"{s.document} {s.label}")
    if rows or not meeting_keys:  # a folder of meeting keys only prints the meeting table above
        write_rows(["document", "label", "P", "R", "F1", "found", "expected", "missing", "extra"], rows, "table")
    if scores:
        bar = args.min or 0.95
        write_rows(["label", "P (pooled)", "R (pooled)", "documents", f"below {bar:.2f}"],
                   [(x.label, f"{x.precision:.3f}", f"{x.recall:.3f}", x.keys, " ".join(x.below) or "-")
                    for x in summarise(scores, bar)], "table")
    if failing:
        print(f"below {args.min}: " + ", ".join(failing), file=sys.stderr)
        return EXIT_REJECTED
    return EXIT_OK


def _evaluate_elections(keys_dir: Path, folders: list[Path], minimum: float) -> int:
    """Score election protocols against keys in the third-party parser's format (`keys/PAIRS.tsv` pairs each
    key with its PDF): every key figure and every per-party preliminary/final count."""
    from kommune_etl.election_scoring import load_key, load_pairs, score, summarise
    from kommune_etl.pipeline import process_document, read_raw

    rows, scores, failing = [], [], []
    for pdf_name, key_name in load_pairs(keys_dir):
        path = next((folder / pdf_name for folder in folders if (folder / pdf_name).exists()), None)
        if path is None:
            print(f"kommune-etl evaluate: {pdf_name} (key {key_name}) is in none of {', '.join(map(str, folders))}",
                  file=sys.stderr)
            continue
        result = process_document(read_raw(path))
        protocols = result.structures.elections if result.structures else ()
        if not protocols:
            rows.append((pdf_name, result.doc_type.value, "-", "0/?", "no election protocol read", ""))
            failing.append(pdf_name)
            continue
        s = score(protocols[0], load_key(keys_dir / key_name), pdf_name)
        scores.append(s)
        groups = s.by_group()
        rows.append((pdf_name, result.doc_type.value, f"{groups.get('key_figures', (0, 0))[0]}/{groups.get('key_figures', (0, 0))[1]}",
                     f"{s.hits}/{len(s.fields)}", "; ".join(f"{f.field}: key {f.expected}, read {f.got}" for f in s.misses[:3]),
                     str(len(s.key_faults))))
        if s.share < minimum:
            failing.append(pdf_name)
    write_rows(["protocol", "type", "key figures", "all fields", "misses", "key faults"], rows, "table")
    for s in scores:
        for fault in s.key_faults:
            print(f"key fault (not scored) {s.key}: {str(fault)[:200]}")
    total = summarise(scores).get("all", {"hits": 0, "fields": 0, "share": 1.0})
    print(f"all keys: {total['hits']}/{total['fields']} fields exact ({100 * total['share']:.1f} %)")
    if failing:
        print(f"below {minimum}: " + ", ".join(failing), file=sys.stderr)
        return EXIT_REJECTED
    return EXIT_OK


def _evaluate_meetings(gold_dir: Path, folders: list[Path], minimum: float) -> tuple[list[str], int]:
    """Score every meeting key (Kommunelys `fasit/` format) under GOLD_DIR; the text sits beside its key.
    Returns the documents below ``minimum`` and how many meeting keys there were."""
    from kommune_etl.evaluate import find_documents
    from kommune_etl.meeting_scoring import load_meeting_keys, score_meeting
    from kommune_etl.pipeline import process_document, read_raw

    keys = load_meeting_keys(gold_dir)
    if not keys:
        return [], 0
    rows, failing = [], []
    for key_path, key in keys.items():
        documents = find_documents(key_path.stem, [key_path.parent, *folders])[:1]
        if not documents:
            print(f"kommune-etl evaluate: no document named {key_path.stem}.* beside {key_path} or in --docs", file=sys.stderr)
            continue
        result = process_document(read_raw(documents[0]))
        meeting = result.structures.meeting if result.structures else None
        s = score_meeting(documents[0].name, meeting, key)
        rows.append((s.document, result.doc_type.value, meeting.template if meeting else "-",
                     f"{s.attendance_precision:.2f}/{s.attendance_recall:.2f}", f"{s.substitutes_right}/{s.substitutes_expected}",
                     f"{s.counts_right}/{s.votes_expected}", f"{s.alternatives_right}/{s.alternatives_expected}",
                     f"{s.voters_precision:.2f}/{s.voters_recall:.2f}", f"{s.outcomes_right}/{s.votes_expected}",
                     "; ".join(s.wrong[:3])))
        if min(s.attendance_precision, s.attendance_recall, s.voters_precision, s.voters_recall, s.counts_share) < minimum:
            failing.append(f"{s.document} meeting")
    write_rows(["document", "type", "template", "attendance P/R", "substitutes", "vote counts", "alternatives",
                "named voters P/R", "outcomes", "first differences"], rows, "table")
    return failing, len(keys)


def _print_reconciliation(folders: list[Path]) -> None:
    from kommune_etl.extractors.sources.folder import list_files
    from kommune_etl.meeting_scoring import reconcile
    from kommune_etl.pipeline import process_document, read_raw
    from kommune_etl.transforms.structures import MEETING_TYPES

    documents = []
    for path in list_files(folders):  # what ingest would read there (a folder's manifest is not a document)
        result = process_document(read_raw(path))
        if result.doc_type in MEETING_TYPES:
            documents.append((path.name, result.structures.meeting if result.structures else None))
    r = reconcile(documents)
    print(f"reconciliation over {len(documents)} protocols and decision records: {r.reconciled}/{r.votes} votes "
          f"reconcile ({r.vote_share:.0%}); {r.items_with_outcome}/{r.items} cases have an outcome ({r.outcome_share:.0%})")
    for line in r.unreconciled[:20]:
        print(f"  {line}")


def _date(text: str):
    from datetime import date

    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date; write YYYY-MM-DD") from None


def _cmd_fetch(args: argparse.Namespace) -> int:
    """fetch (incremental) and backfill (a window): the same stage, fetch.fetch_source, per source."""
    from kommune_etl.extractors.sources.config import SourceConfig, SourceConfigError, load_sources, select
    from kommune_etl.extractors.sources.http import HttpPolicy
    from kommune_etl.fetch import fetch_source

    if args.inbox is None:
        print("kommune-etl: --inbox is required (or set KOMMUNE_ETL_INBOX)", file=sys.stderr)
        return EXIT_USAGE
    window = (args.date_from, args.date_to) if hasattr(args, "date_from") else None
    if window and window[0] > window[1]:
        print(f"kommune-etl backfill: --from {window[0]} is after --to {window[1]}", file=sys.stderr)
        return EXIT_USAGE
    try:
        if getattr(args, "url", None):
            sources = [SourceConfig.listing(args.url)]
        else:
            sources = select(load_sources(args.sources), args.source)
            if not sources:
                print("kommune-etl fetch: no sources configured; give a URL, --sources FILE or set "
                      "KOMMUNE_ETL_SOURCES (see sources.example.toml)", file=sys.stderr)
                return EXIT_USAGE
    except SourceConfigError as exc:
        print(f"kommune-etl: {exc}", file=sys.stderr)
        return EXIT_USAGE
    failed = False
    for source in sources:
        try:
            policy = HttpPolicy(min_interval_s=args.min_interval if args.min_interval is not None
                                else source.min_interval_s)
            summary = fetch_source(source, args.inbox, args.db, window=window, policy=policy)
        except SourceConfigError as exc:
            print(f"kommune-etl: {exc}", file=sys.stderr)
            failed = True
            continue
        counts = ", ".join(f"{n} {status}" for status, n in summary.counts().items())
        print(f"{source.name}: {counts}; {summary.requests} requests"
              + (f"; watermark {summary.watermark.isoformat()}" if summary.watermark and not window else ""))
        if summary.error:
            print(f"  {summary.error}; the watermark stays, the next run asks again", file=sys.stderr)
            failed = True
        for o in summary.outcomes:
            if o.status == "failed":
                print(f"  failed: {o.message}", file=sys.stderr)
    print(f"documents in {args.inbox}")
    if args.ingest:
        from kommune_etl.pipeline import ocr_settings_for
        from kommune_etl.progress import ingest_with_progress

        _print_summary(ingest_with_progress([args.inbox], args.db, Limits(), show=True,
                                            ocr=ocr_settings_for(args.db)), args.db)
    return EXIT_REJECTED if failed else EXIT_OK


def _cmd_sources(args: argparse.Namespace) -> int:
    from kommune_etl.extractors.sources.config import SourceConfigError, load_sources

    try:
        sources = load_sources(args.sources)
    except SourceConfigError as exc:
        print(f"kommune-etl: {exc}", file=sys.stderr)
        return EXIT_USAGE
    state = {}
    if args.db.exists():
        from kommune_etl.warehouse.connection import open_published

        con = open_published(args.db)
        state = {row[0]: row[1:] for row in con.execute(
            "SELECT w.source, w.watermark, r.finished_at, r.mode, r.fetched, r.failed, r.error"
            " FROM source_watermarks w FULL JOIN (SELECT * FROM source_runs QUALIFY row_number() OVER"
            " (PARTITION BY source ORDER BY source_run_id DESC) = 1) r USING (source)").fetchall()}
        con.close()
    rows = [(s.name, s.kind, s.url or s.path, *(state.get(s.name) or (None,) * 6)) for s in sources.values()]
    write_rows(["source", "kind", "where", "watermark", "last_fetch", "mode", "fetched", "failed", "error"], rows,
               args.format)
    return EXIT_OK


def _cmd_search(args: argparse.Namespace) -> int:
    from kommune_etl.warehouse.connection import open_published, open_warehouse, publish_snapshot
    from kommune_etl.warehouse.search import rebuild_search_index, search

    if args.rebuild:
        con = open_warehouse(args.db)
        rebuild_search_index(con, force=True)
        publish_snapshot(con, args.db)
    else:
        con = open_published(args.db)
    try:
        hits = search(con, args.query, args.limit)
    except (LookupError, ValueError) as exc:
        print(f"kommune-etl search: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if args.format == "table":
        for rank, h in enumerate(hits, 1):
            print(f"{rank}. {Path(h.source).name} p. {h.page_number}  ({h.doc_type}, {h.year}, score {h.score:.2f})"
                  f"\n   {h.snippet}\n   {h.link}")
        if not hits:
            print(f"no page matches {args.query!r}")
        return EXIT_OK
    write_rows(["score", "document", "page", "doc_type", "year", "title", "link", "snippet", "sha256"],
               [(round(h.score, 3), Path(h.source).name, h.page_number, h.doc_type, h.year, h.title, h.link,
                 h.snippet, h.sha256) for h in hits], args.format)
    return EXIT_OK


PROFILE_COLUMNS = ("person_id", "name", "municipality_code", "municipality", "parties", "meetings_attended", "meetings_missed",
                   "votes_cast", "times_in_minority", "times_against_own_party", "proposals_made", "bodies", "elected",
                   "first_seen", "last_seen", "names")


def _cmd_person(args: argparse.Namespace) -> int:
    from kommune_etl.warehouse.connection import open_published

    con = open_published(args.db)
    pattern = "%" + " ".join(args.name.split()).replace("%", "") + "%"
    rows = con.execute(
        f"SELECT {', '.join(PROFILE_COLUMNS)} FROM mart_person_profile"
        " WHERE (name ILIKE ? OR list_has_any(list_transform(names, n -> n ILIKE ?), [true]))"
        " AND (? IS NULL OR municipality_code = ?) ORDER BY votes_cast DESC, meetings_attended DESC, name",
        [pattern, pattern, args.municipality, args.municipality]).fetchall()
    if not rows:
        print(f"kommune-etl person: nobody named like {args.name!r}"
              + (f" in municipality {args.municipality}" if args.municipality else "")
              + "; names are matched in every written form (try a surname alone)", file=sys.stderr)
        return EXIT_REJECTED
    if args.format != "table":
        write_rows(list(PROFILE_COLUMNS), rows, args.format)
        return EXIT_OK
    for row in rows:
        profile = dict(zip(PROFILE_COLUMNS, row))
        print(f"{profile['name']} ({', '.join(profile['parties'] or []) or 'no party'}) — "
              f"{profile['municipality'] or profile['municipality_code'] or 'municipality unknown'}  [{profile['person_id']}]")
        print(f"  meetings attended {profile['meetings_attended']}, missed {profile['meetings_missed']}; votes cast "
              f"{profile['votes_cast']}, in the minority {profile['times_in_minority']}, against the own party's majority "
              f"{profile['times_against_own_party']}; proposals {profile['proposals_made']}")
        memberships = con.execute("SELECT body, party, role, first_seen, last_seen, source FROM memberships WHERE person_id = ?"
                                  " ORDER BY first_seen, body", [profile["person_id"]]).fetchall()
        for body, party, role, first, last, source in memberships:
            print(f"  {body}: {role}{f' ({party})' if party else ''}, {first} – {last} ({source})")
        if len(profile["names"] or []) > 1:
            print(f"  written as: {'; '.join(profile['names'])}")
    return EXIT_OK


def _cmd_export(args: argparse.Namespace) -> int:
    from kommune_etl.warehouse.marts import export_marts

    con = _reader(args)
    exported = export_marts(con, args.out, args.format)
    for e in exported:
        years = ", ".join("NULL" if y is None else str(y) for y in e.years) or "-"
        print(f"{e.mart}: {e.rows} rows, years {years} -> {e.path}")
    print(f"wrote {len(exported)} marts as {args.format} to {args.out} (manifest.json lists them)")
    return EXIT_OK


def _cmd_report(args: argparse.Namespace) -> int:
    from kommune_etl.report import write_report
    from kommune_etl.warehouse.connection import open_published

    con = open_published(args.db)
    target = write_report(con, args.out, str(args.db))
    print(f"report: {target.resolve().as_uri()}")
    return EXIT_OK


def _cmd_demo(args: argparse.Namespace) -> int:
    from kommune_etl.progress import ingest_with_progress

    samples = resources.files("kommune_etl") / "samples"
    with resources.as_file(samples) as folder:
        # the PDFs only: the text files are the same five documents and would count every amount twice
        summary = ingest_with_progress([Path(folder) / "pdf"], args.db, Limits(), show=True, command="demo")
    _print_summary(summary, args.db)
    return _cmd_status(args)


if __name__ == "__main__":
    sys.exit(main())
