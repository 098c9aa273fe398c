-- How each page's text was obtained and how sure OCR was; warnings that do not stop a document.

ALTER TABLE pages ADD COLUMN ocr_confidence DOUBLE;   -- mean Tesseract word confidence (0-100) on OCR pages

CREATE SEQUENCE quality_issue_id_seq;
CREATE TABLE quality_issues (
    issue_id     BIGINT PRIMARY KEY DEFAULT nextval('quality_issue_id_seq'),
    sha256       VARCHAR NOT NULL,
    page_number  INTEGER,
    check_name   VARCHAR NOT NULL,     -- e.g. ocr_low_confidence, vote_reconciliation
    severity     VARCHAR NOT NULL,     -- warning | error
    observed     VARCHAR,
    message      VARCHAR NOT NULL,
    found_at     TIMESTAMPTZ NOT NULL
);
